// Builds elements with text content only: nothing the server sends (object keys, account names)
// is ever parsed as HTML.
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** A table with a caption, column headers (scope=col) and rows of cells. */
export function table(caption, columns, rows) {
  return h('table', {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, columns.map((column) => h('th', { scope: 'col', class: column.numeric ? 'number' : null }, column.label)))),
    h('tbody', {}, rows.map((cells) => h('tr', {}, cells.map((cell, index) => (cell instanceof Node && cell.tagName === 'TH')
      ? cell
      : h('td', { class: columns[index]?.numeric ? 'number' : null }, cell))))));
}

export function setStatus(text) {
  document.getElementById('status').textContent = text;
}
