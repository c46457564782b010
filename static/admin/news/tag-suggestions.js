// Suggests existing tags while an editor types in the comma-separated "Tags" field: the last,
// unfinished tag is completed from /admin/news/newsitem/tag-suggestions/?q=... through a datalist,
// so the browser's own suggestion list (keyboard accessible) does the showing.
"use strict";
// The admin loads its media in the head, before the form exists.
document.addEventListener("DOMContentLoaded", function () {
  const input = document.getElementById("id_tags");
  if (!input || !input.dataset.suggestions) return;
  const list = document.createElement("datalist");
  list.id = "id_tags_suggestions";
  input.after(list);
  input.setAttribute("list", list.id);
  input.setAttribute("autocomplete", "off");
  let pending;
  input.addEventListener("input", function () {
    clearTimeout(pending);
    const parts = input.value.split(",");
    const term = parts.pop().trim();
    const done = parts.map((part) => part.trim()).filter(Boolean);
    if (term.length < 2) return;
    pending = setTimeout(async function () {
      const url = input.dataset.suggestions + "?q=" + encodeURIComponent(term);
      const response = await fetch(url, { credentials: "same-origin" });
      if (!response.ok) return;
      const names = (await response.json()).results;
      list.replaceChildren(
        ...names
          .filter((name) => !done.includes(name))
          .map((name) => {
            const option = document.createElement("option");
            option.value = [...done, name].join(", ");
            return option;
          })
      );
    }, 150);
  });
});
