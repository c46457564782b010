// Names, for screen readers, of the controls that scripts build in the back office, which
// axe-core found nameless: select2's (Django's autocomplete fields) and the rich-text editor's
// (django-prose-editor). Each is given the words of its field's <label>, or the field's own
// aria-label where no label points at it (a cell of a table of inline rows: news/admin/cells.py).
// The widgets are built after the page loads, and again for each row added, hence the observer.
"use strict";
{
  function labelOf(control) {
    return control.id ? document.querySelector(`label[for="${CSS.escape(control.id)}"]`) : null;
  }

  function nameOf(control) {
    const label = labelOf(control);
    const text = label ? label.textContent : control.getAttribute("aria-label") || "";
    return text.trim().replace(/:$/, "");
  }

  // select2 labels its combobox with the value shown, nothing while none is chosen, and marks
  // that value a read-only textbox of its own, nameless too. The combobox is named for the
  // field, then the value (aria-labelledby naming itself reads its aria-label first), and the
  // value is plain text inside it.
  function nameSelect2(container) {
    const select = container.previousElementSibling;
    const combobox = container.querySelector(".select2-selection[role='combobox']");
    if (!select || select.tagName !== "SELECT" || !combobox) return;
    const name = nameOf(select);
    if (!name) return;
    const rendered = combobox.querySelector(".select2-selection__rendered[id]");
    combobox.id = combobox.id || `${select.id}-combobox`;
    combobox.setAttribute("aria-label", name);
    combobox.setAttribute("aria-labelledby", rendered ? `${combobox.id} ${rendered.id}` : combobox.id);
    if (rendered) {
      rendered.removeAttribute("role");
      rendered.removeAttribute("aria-readonly");
    }
    // The search box inside a multiple choice (the countries).
    for (const search of container.querySelectorAll(".select2-search__field")) {
      search.setAttribute("aria-label", name);
    }
  }

  // An open list: ARIA 1.2 wants the combobox to say which list it controls (select2 4.0 says
  // aria-owns), and the search box of the open dropdown, outside the field, needs the name too.
  function listOpenedOrClosed(combobox) {
    const list = combobox.getAttribute("aria-owns");
    if (!list) {
      combobox.removeAttribute("aria-controls");
      return;
    }
    combobox.setAttribute("aria-controls", list);
    const name = combobox.getAttribute("aria-label");
    const search = document.querySelector(".select2-container--open .select2-search--dropdown .select2-search__field");
    if (name && search) search.setAttribute("aria-label", name);
  }

  function nameProseEditor(editor) {
    let holder = editor.parentElement;
    while (holder && !holder.querySelector("textarea")) holder = holder.parentElement;
    const label = holder ? labelOf(holder.querySelector("textarea")) : null;
    if (!label) return;
    label.id = label.id || `${label.htmlFor}-label`;
    editor.setAttribute("aria-labelledby", label.id);
  }

  function nameWidgetsIn(root) {
    if (!(root instanceof Element)) return;
    for (const container of root.querySelectorAll(".select2-container")) nameSelect2(container);
    if (root.matches(".select2-container")) nameSelect2(root);
    for (const editor of root.querySelectorAll(".ProseMirror[contenteditable]")) nameProseEditor(editor);
    if (root.matches(".ProseMirror[contenteditable]")) nameProseEditor(root);
  }

  const observer = new MutationObserver(function (changes) {
    for (const change of changes) {
      if (change.type === "attributes") listOpenedOrClosed(change.target);
      else change.addedNodes.forEach(nameWidgetsIn);
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    nameWidgetsIn(document.body);
    observer.observe(document.body, {childList: true, subtree: true, attributeFilter: ["aria-owns"]});
  });
}
