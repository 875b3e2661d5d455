// The page's store of verified resources: PouchDB (pouchdb-core with one adapter: IndexedDB in
// browsers, memory in Node tests), one document per resource with its bytes as an attachment,
// within a size limit, least recently used evicted first. Only verified bytes are put here, and
// what is read back is hashed again before it is first used or served in this page's life
// (the owner does that), so bytes changed on disk are never trusted.

import PouchDB from 'pouchdb-core';

const isNode = typeof globalThis.process === 'object' && !!(globalThis.process.versions && globalThis.process.versions.node);

/** Registers `plugin` (a PouchDB adapter plugin) and returns the adapter name it added. */
export function adapterOf(plugin) {
  if (typeof plugin === 'string') return plugin;
  const before = new Set(Object.keys(PouchDB.adapters));
  PouchDB.plugin(plugin);
  const added = Object.keys(PouchDB.adapters).filter((a) => !before.has(a));
  if (added.length) return added[0];
  // Registered earlier (a second client in one process): the plugin's own adapter name.
  const known = Object.keys(PouchDB.adapters);
  if (known.length === 1) return known[0];
  if (plugin && plugin.adapterName) return plugin.adapterName;
  throw new Error('cannot tell which PouchDB adapter the given plugin registers; pass its name as cache.adapter');
}

export class Cache {
  /** `adapter`: a registered PouchDB adapter name. */
  constructor(db, maxBytes) {
    this.db = db;
    this.maxBytes = maxBytes;
    this.index = new Map(); // key -> {id, size, type, lastUsed}
    this.total = 0;
    this.queue = Promise.resolve();
    this.onLost = () => {};
  }

  static async open({ adapter, name = 'swarmkeeper', maxBytes = 200 * 1024 * 1024 }) {
    const db = new PouchDB(name, { adapter, auto_compaction: true });
    const cache = new Cache(db, maxBytes);
    const all = await db.allDocs({ include_docs: true });
    for (const row of all.rows) {
      const d = row.doc;
      if (!d || typeof d.id !== 'string' || typeof d.size !== 'number') continue;
      cache.index.set(d._id, { id: d.id, size: d.size, type: d.type || '', lastUsed: d.lastUsed || 0 });
      cache.total += d.size;
    }
    if (cache.total > maxBytes) await cache.serial(() => cache.evictFor(0)); // a smaller limit than last time
    return cache;
  }

  /** Runs writes one after another. */
  serial(task) {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => {});
    return run;
  }

  has(id) {
    return this.index.has(id.key);
  }

  /** Ids held (canonical texts). */
  ids() {
    return [...this.index.values()].map((e) => e.id);
  }

  get size() {
    return this.index.size;
  }

  /** {bytes, type} of `id` as stored (not yet checked again: the owner hashes it), or null. */
  async get(id) {
    const entry = this.index.get(id.key);
    if (!entry) return null;
    let data;
    try {
      data = await this.db.getAttachment(id.key, 'bytes');
    } catch {
      this.forget(id.key);
      return null;
    }
    const bytes = data instanceof Uint8Array ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(await data.arrayBuffer());
    entry.lastUsed = Date.now();
    this.persistUse(id.key);
    return { bytes, type: entry.type };
  }

  persistUse(key) {
    this.serial(async () => {
      const entry = this.index.get(key);
      if (!entry) return;
      try {
        const doc = await this.db.get(key);
        doc.lastUsed = entry.lastUsed;
        await this.db.put(doc);
      } catch {
        // only the order of eviction suffers
      }
    });
  }

  /** Keeps verified `bytes` of `id`; false when it does not fit at all. Evicts what must go. */
  put(id, bytes, type = '') {
    if (bytes.length > this.maxBytes) return Promise.resolve(false);
    return this.serial(async () => {
      if (this.index.has(id.key)) return true;
      await this.evictFor(bytes.length);
      const data = isNode ? globalThis.Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) : new Blob([bytes], { type: type || 'application/octet-stream' });
      const now = Date.now();
      await this.db.put({
        _id: id.key,
        id: id.text,
        size: bytes.length,
        type,
        lastUsed: now,
        storedAt: now,
        _attachments: { bytes: { content_type: type || 'application/octet-stream', data } },
      });
      this.index.set(id.key, { id: id.text, size: bytes.length, type, lastUsed: now });
      this.total += bytes.length;
      return true;
    });
  }

  /** Drops least recently used resources until `incoming` more bytes fit. */
  async evictFor(incoming) {
    const byAge = [...this.index.entries()].sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    const lost = [];
    for (const [key, entry] of byAge) {
      if (this.total + incoming <= this.maxBytes) break;
      await this.removeDoc(key);
      lost.push(entry.id);
    }
    if (lost.length) this.onLost(lost);
  }

  /** Drops `id` (found damaged, say); the owner announces it as lost. */
  remove(id) {
    return this.serial(async () => {
      await this.removeDoc(id.key);
    });
  }

  async removeDoc(key) {
    this.forget(key);
    try {
      const doc = await this.db.get(key);
      await this.db.remove(doc);
    } catch {
      // gone already
    }
  }

  forget(key) {
    const entry = this.index.get(key);
    if (!entry) return;
    this.index.delete(key);
    this.total -= entry.size;
  }

  async close() {
    await this.queue;
    await this.db.close();
  }

  /** Deletes the database (tests, and a page that wants to start afresh). */
  async destroy() {
    await this.queue;
    await this.db.destroy();
  }
}
