// Unsaved edits, kept in the browser's storage so that they survive a reload. Each draft is
// stored under "d2l-live:PATH:ID" with the source it was made from (`base`), so that a draft
// restored after the file changed can say so.

// Drafts in `storage()` (localStorage in the page; any object with getItem, setItem and
// removeItem in tests) for the chapter at `path()`. Both are functions: the path is known only
// once the chapter has loaded, and merely reading localStorage can throw where it is disabled.
export class DraftStore {
  constructor(storage, path, now = Date.now) {
    this.storage = storage;
    this.path = path;
    this.now = now;
  }

  key(id) { return "d2l-live:" + this.path() + ":" + id; }

  // The draft of cell `id` ({source, base, savedAt}), or null if there is none or it is not
  // one of ours.
  get(id) {
    try {
      const raw = this.storage().getItem(this.key(id));
      const value = raw ? JSON.parse(raw) : null;
      return value && typeof value.source === "string" ? value : null;
    } catch (e) { return null; }
  }

  set(id, source, base) {
    try {
      this.storage().setItem(this.key(id), JSON.stringify({ source: source, base: base, savedAt: this.now() }));
    } catch (e) { /* storage full or disabled: the edit stays in the editor */ }
  }

  remove(id) {
    try { this.storage().removeItem(this.key(id)); } catch (e) { /* nothing to forget */ }
  }
}

// What to do on load with `draft` (from DraftStore.get) for a cell whose file source is
// `saved`: nothing, discard it (it matches the file), or restore it; `changedInFile` when the
// file no longer holds the source the edit was made from.
export function draftToRestore(draft, saved) {
  if (!draft) return { action: "none" };
  if (draft.source === saved) return { action: "discard" };
  const base = typeof draft.base === "string" ? draft.base : saved;
  return { action: "restore", source: draft.source, base: base, changedInFile: base !== saved };
}
