// The news form's publishing side (news/admin/publish_views.py): the error summary takes the
// focus after a Save that found problems, its links lead to each field (the body's editor and
// the autocompletes included), "Schedule…" asks for the time first, and the live checklist
// beside the buttons asks the server what would stop the item from being published, as the
// form stands, whenever it changes. Without JavaScript the buttons and the summary still work.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  const form = document.getElementById("newsitem_form");
  if (!form) return;
  const wordsElement = document.getElementById("news-form-words");
  const words = wordsElement ? JSON.parse(wordsElement.textContent) : {};

  const summary = form.querySelector(".error-summary");
  if (summary) summary.focus();

  function visible(element) {
    return !!(element.offsetWidth || element.offsetHeight || element.getClientRects().length);
  }

  // A link to a field leads to it; a field the page hides (the body's textarea under its
  // editor, a select under its autocomplete) to what stands for it.
  form.addEventListener("click", function (event) {
    const link = event.target.closest(".error-summary a, .live-checklist a");
    if (!link) return;
    const target = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!target) return;
    event.preventDefault();
    const row = target.closest(".form-row, .inline-group, fieldset") || target;
    const focusable = visible(target) && target.matches("input, select, textarea, button, [tabindex]")
      ? target
      : (visible(target) ? target : row).querySelector(
      "[contenteditable=true], .select2-selection, input:not([type=hidden]), textarea, select, button"
    );
    row.scrollIntoView({block: "center"});
    if (focusable) focusable.focus({preventScroll: true});
  });

  // "Schedule…": a time ahead first.
  const when = form.querySelector("#id_published_at_0");
  form.querySelectorAll("button[data-action=schedule]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!when || when.value.trim()) return;
      event.preventDefault();
      when.closest(".form-row").scrollIntoView({block: "center"});
      when.focus({preventScroll: true});
      say(words.scheduleFirst || "");
    });
  });

  const panel = form.querySelector(".live-checklist");
  const status = panel ? panel.querySelector(".live-checklist-status") : null;
  function say(text) { if (status) { status.textContent = text; if (panel) panel.hidden = false; } }
  if (!panel) return;
  const list = panel.querySelector("ul");
  let timer = null;
  let asked = 0;

  function render(answer) {
    panel.hidden = false;
    list.replaceChildren();
    if (answer.ready) {
      status.textContent = (words.ready || "").replace("%(action)s", answer.action);
      panel.classList.add("ready");
      return;
    }
    panel.classList.remove("ready");
    status.textContent = (words.notReady || "").replace("%(action)s", answer.action);
    answer.problems.forEach(function (problem) {
      const item = document.createElement("li");
      const text = (problem.label ? problem.label + ": " : "") + problem.message;
      if (problem.field) {
        const link = document.createElement("a");
        link.href = "#" + problem.field;
        link.textContent = text;
        item.appendChild(link);
      } else {
        item.textContent = text;
      }
      list.appendChild(item);
    });
  }

  function check() {
    const data = new FormData(form);
    let photo = false;
    form.querySelectorAll("input[type=file]").forEach(function (input) {
      if (input.files && input.files.length) photo = true;
      data.delete(input.name);
    });
    if (photo) data.append("_photo_chosen", "1");
    const mine = ++asked;
    fetch(panel.dataset.url, {method: "POST", body: data, credentials: "same-origin"})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) { if (answer && mine === asked) render(answer); })
      .catch(function () { /* the Save still checks everything */ });
  }
  function later() {
    clearTimeout(timer);
    timer = setTimeout(check, 400);
  }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
  // The autocompletes and the "Issued by" rows tell jQuery, not the page.
  if (window.django && django.jQuery) django.jQuery(form).on("change", later);
  document.addEventListener("formset:added", later);
  document.addEventListener("formset:removed", later);
  document.addEventListener("issuers:reordered", later);
  check();
});
