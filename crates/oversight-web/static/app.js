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

// A setup link carries its code after `#`, which never reaches the server
// (nor its logs): the setup page copies it into the form, then drops it
// from the address bar.
document.addEventListener("DOMContentLoaded", function () {
  var field = document.getElementById("link");
  if (!field || !document.getElementById("setup") || location.hash.length < 2) return;
  field.value = decodeURIComponent(location.hash.slice(1));
  history.replaceState(null, "", location.pathname);
});
