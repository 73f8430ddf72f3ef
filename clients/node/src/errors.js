/** Switchboard answered a request with an error, in Twilio's JSON error shape. */
export class SwitchboardError extends Error {
  constructor(method, url, status, body) {
    const data = body && typeof body === 'object' ? body : {};
    const detail = data.code ? `${data.code}: ${data.message}` : String(data.message ?? body ?? '').slice(0, 300);
    super(`${method} ${url} answered ${status} (${detail})`);
    this.name = 'SwitchboardError';
    this.method = method;
    this.url = url;
    this.status = status;
    this.body = body;
    this.code = data.code;
    this.moreInfo = data.more_info;
  }
}

/** `…/Clock.json` answered 404: this Switchboard has no sandbox clock (yet). */
export class ClockNotAvailable extends SwitchboardError {
  constructor(method, url, status, body) {
    super(method, url, status, body);
    this.name = 'ClockNotAvailable';
    this.message = `${method} ${url} answered 404: this Switchboard has no sandbox clock (an older server), so advance()/now() `
      + 'cannot move or read simulated time; under --sim-speed instant calls and messages already finish at once';
  }
}

/** `POST /switchboard/v1/Sandboxes.json` answered 404: not in sandbox mode. */
export class NotInSandboxMode extends SwitchboardError {
  constructor(method, url, status, body) {
    super(method, url, status, body);
    this.name = 'NotInSandboxMode';
    this.message = `${method} ${url} answered 404: the Switchboard there is not in sandbox mode; `
      + 'start it with `switchboard serve --sandbox` (or `switchboard sandbox`)';
  }
}
