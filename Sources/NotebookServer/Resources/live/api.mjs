// Requests to the server's JSON API. The fetch function is passed in, so that the request
// building and the reading of answers run in node's unit tests as they do in the page.

// The URL of a cell's resource, or of one of its actions ("run", "interrupt").
export function cellURL(id, action) {
  return "/api/cells/" + encodeURIComponent(id) + (action ? "/" + action : "");
}

// fetch's options for a same-origin JSON request: the server authenticates the page by its
// cookie, so credentials go along; a body is sent as JSON.
export function requestOptions(method, body) {
  const options = { method: method, credentials: "same-origin", headers: { "Accept": "application/json" } };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  return options;
}

// An answer as the page uses it: `data` is always an object, so callers can read
// `data.error` whatever came back (a text error page, a bare JSON value, nothing).
export function answerFrom(status, ok, text) {
  let data;
  try { data = text ? JSON.parse(text) : {}; } catch (e) { data = { error: text }; }
  if (data === null || typeof data !== "object") data = { value: data };
  return { status: status, ok: ok, data: data };
}

// `api(method, url, body)` over `fetchFunction`: resolves to {status, ok, data} and never
// rejects for an HTTP error (only when the server cannot be reached).
export function createAPI(fetchFunction) {
  return function api(method, url, body) {
    return fetchFunction(url, requestOptions(method, body)).then(function (response) {
      return response.text().then(function (text) { return answerFrom(response.status, response.ok, text); });
    });
  };
}

// What to show of a failure: its message if it has one.
export function errorText(error) {
  return (error && error.message) ? error.message : String(error);
}
