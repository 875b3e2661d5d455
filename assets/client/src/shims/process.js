// What simple-peer's dependencies (readable-stream) need of Node's `process` in a browser:
// nextTick, on the microtask queue. Injected by the build in place of the global.
export const process = {
  nextTick(fn, ...args) {
    queueMicrotask(() => fn(...args));
  },
  env: {},
  browser: true,
  version: '',
  versions: {},
};
