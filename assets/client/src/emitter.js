// A small event emitter for the page's API (sk.on('resource', …)); a listener that throws does
// not stop the client.

export class Emitter {
  constructor() {
    this.listeners = new Map();
  }

  on(event, listener) {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event).add(listener);
    return this;
  }

  off(event, listener) {
    const set = this.listeners.get(event);
    if (set) set.delete(listener);
    return this;
  }

  emit(event, value) {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(value);
      } catch (e) {
        if (typeof console !== 'undefined') console.error('swarmkeeper: a listener of', event, 'failed:', e);
      }
    }
  }
}
