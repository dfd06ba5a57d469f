// Oversight's pages work without this script; it only improves them:
// an upload shows its progress, a delivery's page follows its review as it
// happens, and a setup link's code is filled in.

// An upload shows how much has been sent (a large delivery takes a while),
// then goes to the delivery's page as the form would have.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.id !== "upload" || !window.FormData || !window.XMLHttpRequest) return;
  event.preventDefault();
  var button = form.querySelector("button[type=submit]");
  if (button) {
    button.disabled = true;
    button.textContent = "Uploading…";
  }
  var progress = document.getElementById("upload-progress");
  if (!progress) {
    var label = document.createElement("p");
    label.id = "upload-progress-label";
    label.textContent = "Sent: ";
    progress = document.createElement("progress");
    progress.id = "upload-progress";
    progress.max = 100;
    progress.value = 0;
    progress.setAttribute("aria-labelledby", "upload-progress-label");
    label.appendChild(progress);
    form.appendChild(label);
  }
  var request = new XMLHttpRequest();
  request.open("POST", form.action);
  request.upload.addEventListener("progress", function (e) {
    if (e.lengthComputable) progress.value = Math.round((e.loaded / e.total) * 100);
  });
  request.addEventListener("load", function () {
    if (request.status < 400) {
      location.assign(request.responseURL);
      return;
    }
    // The server's page says why: show its message here.
    var page = new DOMParser().parseFromString(request.responseText, "text/html");
    var why = page.querySelector("main .alert, main p");
    var alert = document.createElement("p");
    alert.className = "alert";
    alert.setAttribute("role", "alert");
    alert.textContent = why ? why.textContent : "The upload was refused (" + request.status + ").";
    form.appendChild(alert);
    if (button) {
      button.disabled = false;
      button.textContent = "Submit the delivery for review";
    }
  });
  request.addEventListener("error", function () {
    form.submit();
  });
  request.send(new FormData(form));
});

document.addEventListener("DOMContentLoaded", function () {
  // A delivery under review: its status as it changes, then the decision
  // (the page is loaded again once the review has ended).
  var review = document.getElementById("review");
  var source = review && review.getAttribute("data-events");
  if (source && window.EventSource) {
    var events = new EventSource(source);
    var status = document.getElementById("review-status");
    events.addEventListener("status", function (e) {
      if (status) status.textContent = e.data;
    });
    events.addEventListener("done", function () {
      events.close();
      location.reload();
    });
  }

  // A setup link carries its code after `#`, which never reaches the
  // server (nor its logs): the setup page copies it into the form, then
  // drops it from the address bar.
  var field = document.getElementById("link");
  if (field && document.getElementById("setup") && location.hash.length > 1) {
    field.value = decodeURIComponent(location.hash.slice(1));
    history.replaceState(null, "", location.pathname);
  }
});
