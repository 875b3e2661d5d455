// The browser bundle's entry (dist/swarmkeeper.js): window.Swarmkeeper, with PouchDB's IndexedDB
// adapter as the page's cache.

import idb from 'pouchdb-adapter-idb';
import { start as startClient, version, parseId } from './index.js';

function start(options = {}) {
  return startClient({ defaultPouch: idb, ...options });
}

const Swarmkeeper = { start, version, parseId };
if (typeof window !== 'undefined') window.Swarmkeeper = Swarmkeeper;
export default Swarmkeeper;
