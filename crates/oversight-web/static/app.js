// Oversight's pages work without this script; it only says that an
// upload is under way, since a large delivery takes a while to send.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.id !== "upload") return;
  var button = form.querySelector("button[type=submit]");
  if (button) {
    button.disabled = true;
    button.textContent = "Uploading…";
  }
});
