// Text put into the HTML pages gluon-ts writes itself (the about window, the idle still page).

/** `text` as HTML text or attribute value: nothing in it can open a tag or leave a quoted attribute. */
export const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
