// Builders for the page's own elements (in the browser's document).

export function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text != null) node.textContent = text;
  return node;
}

// A button that runs `action` on click (and does nothing else: it is not a form's).
export function button(className, label, title, action) {
  const node = element("button", className, label);
  node.type = "button";
  if (title) node.title = title;
  node.addEventListener("click", function (event) { event.preventDefault(); action(); });
  return node;
}
