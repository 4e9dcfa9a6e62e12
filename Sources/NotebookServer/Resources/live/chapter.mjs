// The chapter file's versions and cells, as the page compares what it shows with the server.

// What a "file changed" news means once known: the page's own saves announce themselves too,
// so nothing is decided while saves are under way ("wait"); a version equal to the page's is
// the page's own save ("own save"); anything else is another writer's change ("changed").
// "none" when there is no news.
export function diskVersionVerdict(page) {
  if (page.savesInFlight > 0 || !page.diskVersion) return page.diskVersion ? "wait" : "none";
  return page.diskVersion === page.version ? "own save" : "changed";
}

// Whether the server's cells are the ones the page shows, in order (else the page is rebuilt).
export function sameCells(serverCells, shownCells) {
  const ids = function (cells) { return cells.map(function (cell) { return cell.id; }).join("\n"); };
  return ids(serverCells) === ids(shownCells);
}
