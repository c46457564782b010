// The "Issued by" rows in the order the page shows them, set by dragging a row or with its
// "Move up"/"Move down" buttons (the keyboard's way), instead of typing position numbers. The
// positions the server reads are numbered from the rows' order on every change. Without
// JavaScript the position numbers are shown and typed as before.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  const group = document.getElementById("issuing_bodies-group");
  if (!group) return;
  const body = group.querySelector("tbody");
  if (!body) return;
  const wordsElement = document.getElementById("news-form-words");
  const words = wordsElement ? JSON.parse(wordsElement.textContent) : {};
  group.classList.add("ordered-by-buttons");
  const live = document.createElement("p");
  live.className = "visually-hidden";
  live.setAttribute("aria-live", "polite");
  group.appendChild(live);

  function rows() {
    return Array.from(body.querySelectorAll("tr.form-row")).filter(function (row) {
      return !row.classList.contains("empty-form") && !row.id.endsWith("-empty");
    });
  }
  function nameOf(row) {
    const select = row.querySelector("select");
    const option = select && select.selectedOptions[0];
    return option && option.value ? option.textContent.trim() : (words.thisRow || "");
  }
  function chosen(row) {
    const select = row.querySelector("select");
    return !!(select && select.value);
  }
  function renumber() {
    // Rows with a body chosen only: a number in an empty extra row would make it a row to save.
    rows().filter(chosen).forEach(function (row, index) {
      const position = row.querySelector("input[name$='-position']");
      if (position) position.value = index;
    });
    document.dispatchEvent(new Event("issuers:reordered"));
  }
  function move(row, step, button) {
    const all = rows();
    const index = all.indexOf(row);
    const next = all[index + step];
    if (!next) return;
    if (step < 0) body.insertBefore(row, next); else body.insertBefore(next, row);
    renumber();
    if (button) button.focus();
    live.textContent = (words.moved || "%(name)s: %(position)s")
      .replace("%(name)s", nameOf(row)).replace("%(position)s", rows().indexOf(row) + 1);
  }
  function button(row, step, label, symbol) {
    const element = document.createElement("button");
    element.type = "button";
    element.className = step < 0 ? "order-up" : "order-down";
    element.textContent = symbol;
    element.setAttribute("aria-label", label);
    element.title = label;
    element.addEventListener("click", function () { move(row, step, element); });
    return element;
  }
  let dragged = null;
  function prepare(row) {
    const cell = row.querySelector("td.field-position");
    if (!cell || cell.querySelector(".order-buttons")) return;
    const position = cell.querySelector("input");
    if (position) position.type = "hidden";
    const buttons = document.createElement("span");
    buttons.className = "order-buttons";
    buttons.appendChild(button(row, -1, words.moveUp || "Move up", "↑"));
    buttons.appendChild(button(row, 1, words.moveDown || "Move down", "↓"));
    cell.appendChild(buttons);
    row.draggable = true;
    row.addEventListener("dragstart", function (event) {
      dragged = row;
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", nameOf(row));
      row.classList.add("dragging");
    });
    row.addEventListener("dragend", function () {
      row.classList.remove("dragging");
      dragged = null;
      renumber();
    });
    row.addEventListener("dragover", function (event) {
      if (!dragged || dragged === row) return;
      event.preventDefault();
      const box = row.getBoundingClientRect();
      const after = event.clientY > box.top + box.height / 2;
      body.insertBefore(dragged, after ? row.nextSibling : row);
    });
    row.addEventListener("drop", function (event) { event.preventDefault(); });
  }
  rows().forEach(prepare);
  document.addEventListener("formset:added", function (event) {
    if (event.detail && event.detail.formsetName !== "issuing_bodies") return;
    prepare(event.target);
  });
  document.addEventListener("formset:removed", renumber);
  const form = group.closest("form");
  if (form) form.addEventListener("submit", renumber);
});
