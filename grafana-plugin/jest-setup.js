// Jest setup provided by Grafana scaffolding
import './.config/jest-setup';

// jsdom has no canvas: the scaffold's setup makes getContext() return undefined, but @grafana/ui's
// Combobox sizes its menu with canvas measureText(). An approximate width is enough in tests.
HTMLCanvasElement.prototype.getContext = function getContext() {
  return { font: '', measureText: (text) => ({ width: String(text).length * 7 }) };
};
