// Warns before an editor leaves the news item form with changes not saved: closing the tab,
// following a link or going back asks the browser's own "Leave site?" question. Saving (any
// submit button of the form) and the preview (which opens a new tab) do not ask.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  const form = document.getElementById("newsitem_form");
  if (!form) return;
  let changed = false;
  // Typing in any field, the rich-text body included (its edits bubble up as input events),
  // choosing, ticking, uploading.
  form.addEventListener("input", function () { changed = true; });
  form.addEventListener("change", function () { changed = true; });
  form.addEventListener("submit", function (event) {
    // The preview posts to a new tab: the form stays open, with its changes still unsaved.
    const button = event.submitter;
    if (!button || button.formTarget !== "_blank") changed = false;
  });
  window.addEventListener("beforeunload", function (event) {
    if (!changed) return;
    event.preventDefault();
    event.returnValue = "";  // older browsers need a value to ask
  });
});
