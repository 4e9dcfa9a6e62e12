// The server's event stream (/api/events): cell states, progress lines, the live figure, the
// chapter program's state and changes of the file on disk. The EventSource is passed in, so
// that the dispatching runs in node's unit tests as it does in the page.

// EventSource.readyState once the browser has given up reconnecting.
export const CLOSED = 2;

// An event's JSON payload; null when it is not JSON (such an event is ignored), and an empty
// object for a JSON null, so that handlers can read fields.
export function parseEventData(text) {
  let data;
  try { data = JSON.parse(text); } catch (e) { return null; }
  return data || {};
}

// What the banner says when the stream breaks: the browser retries unless it has closed it.
export function connectionLostText(readyState) {
  return readyState === CLOSED
    ? "Disconnected from the server: reload the page once it runs again."
    : "Connection to the server lost; reconnecting…";
}

// Calls `handlers[name](data)` for every event `name` on `source`. A handler's failure is
// logged and does not stop the stream: the next event may well be handled.
export function dispatchEvents(source, handlers, log) {
  Object.keys(handlers).forEach(function (name) {
    source.addEventListener(name, function (event) {
      const data = parseEventData(event.data);
      if (data === null) return;
      try { handlers[name](data); } catch (e) { log("event " + name + ":", e); }
    });
  });
}

// The page's handlers: `cellOf(data)` finds the cell an event is about (events about cells the
// page does not show are ignored), `setSnapshot(state)` and `fileChanged(version)` update the
// page.
export function pageEventHandlers(cellOf, setSnapshot, fileChanged) {
  function forCell(action) {
    return function (data) { const cell = cellOf(data); if (cell) action(cell, data); };
  }
  return {
    "cell": forCell(function (cell, data) { cell.applyState(data); }),
    "progress": forCell(function (cell, data) { cell.showProgress(data.line); }),
    "figure": forCell(function (cell, data) { cell.showFigure(data.svg); }),
    "snapshot": function (data) { setSnapshot(data.snapshot); },
    "file-changed": function (data) { fileChanged(data.version); }
  };
}
