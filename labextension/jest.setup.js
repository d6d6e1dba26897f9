// jsdom has no DragEvent, which @lumino/dragdrop (pulled in by @lumino/widgets) subclasses when loaded.
if (typeof globalThis.DragEvent === 'undefined') {
  globalThis.DragEvent = class DragEvent extends MouseEvent {};
}
