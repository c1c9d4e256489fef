// Passwordless sign-in against Cognito's JSON API (CUSTOM_AUTH), with plain fetch: no SDK, no storage.
// Tokens, the challenge session and a magic link's secret live in this closure only, and nothing that
// came from the network or a link reaches the page except through textContent.
"use strict";

(() => {
  const config = JSON.parse(document.getElementById("config").textContent);
  const $ = (id) => document.getElementById(id);
  // Room for a space or dash between every two digits ("123 456", "12-34-56"), as people type codes;
  // submit keeps the digits only.
  const codeBoxLength = (digits) => 2 * digits - 1;
  const VIEWS = ["view-ask", "view-code", "view-continue", "view-accept", "view-link-refused", "view-failed", "view-signed-in"];
  // Where focus lands when a view appears: its input, or its heading when it has none to fill.
  const FOCUS = {
    "view-ask": "email",
    "view-code": "code",
    "view-continue": "continue",
    "view-accept": "new-password",
    "view-link-refused": "new-link",
    "view-failed": "restart",
    "view-signed-in": "signed-in-title",
  };
  const MESSAGES = {
    NetworkError: "We could not reach the sign-in service. Check your connection and try again.",
    TooManyRequestsException: "Too many attempts just now. Wait a minute, then try again.",
    LimitExceededException: "Too many attempts just now. Wait a minute, then try again.",
  };
  const GENERIC = "Something went wrong. Please try again.";
  const INVALID_ADDRESS = "Enter your email address, like name@example.com.";
  const MIN_PASSWORD_LENGTH = 12; // the user pool's password policy
  const RESEND = { answer: "resend", metadata: { resend: "true" } };

  const state = {
    address: "", // what the person typed, or the link's address: InitiateAuth's USERNAME
    username: "", // ChallengeParameters.USERNAME: what Cognito wants back with every answer
    masked: "",
    session: "", // the live challenge session; "" when there is none
    codeLength: 6,
    linkToken: "", // a magic link's secret, held until the click that spends it
    tokens: null,
    resendAt: 0,
    timer: 0,
    busy: false,
  };

  class CognitoError extends Error {
    constructor(type) {
      super(type);
      this.type = type;
    }
  }

  // The sign-up service did not answer, or not usably: the generic "try again", never a sign-in.
  class SignUpError extends Error {}

  // The account API could not accept the invitation for a reason the person cannot fix here.
  class AcceptError extends Error {}

  // ------------------------------------------------------------------------------ Cognito JSON API

  async function call(operation, body) {
    let response;
    try {
      response = await fetch(config.endpoint, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-amz-json-1.1",
          "X-Amz-Target": `AWSCognitoIdentityProviderService.${operation}`,
        },
        body: JSON.stringify(body),
        cache: "no-store",
        credentials: "omit",
        referrerPolicy: "no-referrer",
      });
    } catch {
      throw new CognitoError("NetworkError");
    }
    const data = await response.json().catch(() => null);
    if (response.ok && data !== null && typeof data === "object") {
      return data;
    }
    // Errors read {"__type": "[namespace#]NotAuthorizedException", "message": ...}.
    const type = data !== null && typeof data.__type === "string" ? data.__type : "";
    throw new CognitoError(type.slice(type.lastIndexOf("#") + 1) || "UnknownError");
  }

  function initiate(address) {
    return call("InitiateAuth", {
      AuthFlow: "CUSTOM_AUTH",
      ClientId: config.client_id,
      AuthParameters: { USERNAME: address },
    });
  }

  function respond(answer, clientMetadata) {
    const body = {
      ChallengeName: "CUSTOM_CHALLENGE",
      ClientId: config.client_id,
      Session: state.session,
      ChallengeResponses: { USERNAME: state.username, ANSWER: answer },
    };
    // Cognito hands RespondToAuthChallenge's ClientMetadata to the triggers; that is how resend travels.
    if (clientMetadata) {
      body.ClientMetadata = clientMetadata;
    }
    return call("RespondToAuthChallenge", body);
  }

  function isSignedIn(reply) {
    if (reply.AuthenticationResult && typeof reply.AuthenticationResult.IdToken === "string") {
      return true;
    }
    if (reply.ChallengeName === "CUSTOM_CHALLENGE" && typeof reply.Session === "string") {
      return false;
    }
    throw new CognitoError("UnexpectedReply");
  }

  // Every challenge reply carries a new Session; only the newest one is accepted by Cognito.
  function remember(reply) {
    const parameters = reply.ChallengeParameters || {};
    state.session = reply.Session;
    state.username = parameters.USERNAME || state.username || state.address;
    state.masked = parameters.email || state.masked || maskEmail(state.address);
    const length = Number.parseInt(parameters.codeLength, 10);
    if (length >= 4 && length <= 10) {
      state.codeLength = length;
      $("code").maxLength = codeBoxLength(length);
    }
  }

  async function startChallenge(address) {
    state.address = address;
    state.username = "";
    state.masked = "";
    const reply = await initiate(address);
    // Tokens without a challenge would skip the email entirely: never accept that.
    if (isSignedIn(reply)) {
      throw new CognitoError("UnexpectedReply");
    }
    remember(reply);
  }

  // ---------------------------------------------------------------------------------- the flows

  async function ask() {
    const address = $("email").value.trim();
    if (!/^[^\s@]+@[^\s@]+$/.test(address) || (config.sign_up_url && !(await signUp(address)))) {
      say(INVALID_ADDRESS, "error");
      $("email").focus();
      return;
    }
    await startChallenge(address);
    showCode("");
  }

  // Self sign-up: make sure an account exists, then sign in as usual. The account API answers 202
  // whether it created the account or it already existed, and 403 when the address's domain is not
  // open for sign-up (an account there may still exist, and an unknown one simply gets no email), so
  // both go on to the same InitiateAuth and the same "check your email": nothing tells the visitor
  // which it was. False when the service refused the address itself; throws when it could not answer.
  async function signUp(address) {
    let response;
    try {
      response = await fetch(config.sign_up_url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ email: address }),
        cache: "no-store",
        credentials: "omit",
        referrerPolicy: "no-referrer",
      });
    } catch {
      throw new SignUpError();
    }
    if (response.status === 202 || response.status === 403) {
      return true;
    }
    if (response.status === 400) {
      return false;
    }
    throw new SignUpError(); // 429, 5xx or anything unforeseen: no sign-in on an unknown outcome
  }

  async function submitCode() {
    const code = $("code").value.replace(/[\s-]/g, "");
    if (!/^[0-9]+$/.test(code) || code.length !== state.codeLength) {
      say(`Enter the ${state.codeLength}-digit code from the email.`, "error");
      $("code").focus();
      return;
    }
    let reply;
    try {
      reply = await respond(code);
    } catch (error) {
      return failedOn(error);
    }
    if (isSignedIn(reply)) {
      return signedIn(reply.AuthenticationResult);
    }
    remember(reply);
    $("code").value = "";
    say("That code did not work. Check the newest email and try again.", "error");
    $("code").focus();
  }

  async function resend() {
    let reply;
    try {
      reply = await respond(RESEND.answer, RESEND.metadata);
    } catch (error) {
      return failedOn(error);
    }
    if (isSignedIn(reply)) {
      return signedIn(reply.AuthenticationResult);
    }
    remember(reply);
    showCode("We sent a new email. Only the newest link and code work.");
  }

  async function continueWithLink() {
    let reply;
    try {
      await startChallenge(state.address);
      reply = await respond(state.linkToken);
    } catch (error) {
      if (!(error instanceof CognitoError) || error.type !== "NotAuthorizedException") {
        throw error; // nothing was decided: the token stays for another click
      }
      state.linkToken = "";
      state.session = "";
      return show("view-link-refused");
    }
    state.linkToken = "";
    if (isSignedIn(reply)) {
      return signedIn(reply.AuthenticationResult);
    }
    // Refused, on a live session. Cognito passes the page nothing to tell the first round of a link
    // from a first round of asking, so that InitiateAuth already emailed a fresh secret (unless one
    // went out moments ago): offering another email here would send a second one.
    remember(reply);
    showCode("That link has expired or was already used, so we emailed you a new one with a new code. Only the newest works.");
  }

  async function newLink() {
    let reply = null;
    if (state.session) {
      try {
        reply = await respond(RESEND.answer, RESEND.metadata);
      } catch (error) {
        if (!(error instanceof CognitoError) || error.type !== "NotAuthorizedException") {
          throw error;
        }
        // That session is spent too; a fresh one below does the same job.
      }
    }
    if (reply === null) {
      await startChallenge(state.address); // a first round emails a fresh link and code
    } else if (isSignedIn(reply)) {
      return signedIn(reply.AuthenticationResult);
    } else {
      remember(reply);
    }
    showCode("We sent a new email. Only the newest link and code work.");
  }

  // Password mode: an invitation's link cannot start a CUSTOM_AUTH sign-in (define refuses it there),
  // so the account API checks the link's secret, sets the chosen password and returns the tokens.
  async function acceptInvitation() {
    const password = $("new-password").value;
    if (Array.from(password).length < MIN_PASSWORD_LENGTH) {
      say(`Choose a password of at least ${MIN_PASSWORD_LENGTH} characters.`, "error");
      return $("new-password").focus();
    }
    if (password !== $("confirm-password").value) {
      say("The two passwords are not the same. Type the new one again.", "error");
      $("confirm-password").value = "";
      return $("confirm-password").focus();
    }
    let response;
    try {
      response = await fetch(config.accept_invitation_url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ email: state.address, token: state.linkToken, password }),
        cache: "no-store",
        credentials: "omit",
        referrerPolicy: "no-referrer",
      });
    } catch {
      throw new CognitoError("NetworkError");
    }
    const data = await response.json().catch(() => null);
    const result = data !== null && typeof data === "object" ? data.authenticationResult : null;
    if (response.status === 200 && result && typeof result.IdToken === "string") {
      state.linkToken = "";
      $("new-password").value = "";
      $("confirm-password").value = "";
      return signedIn(result);
    }
    if (response.status === 400 && data !== null && typeof data.message === "string" && data.message) {
      // The API's own short, generic sentence (a refused password, or an invitation that no longer
      // works); shown as text, and the form stays for another try.
      $("new-password").value = "";
      $("confirm-password").value = "";
      $("new-password").focus();
      return say(data.message, "error");
    }
    throw new AcceptError(); // 429, 5xx or anything unforeseen: the generic try-again
  }

  function failedOn(error) {
    if (error instanceof CognitoError && error.type === "NotAuthorizedException") {
      forgetChallenge();
      return show("view-failed");
    }
    throw error;
  }

  function signedIn(result) {
    forgetChallenge();
    state.tokens = { id: result.IdToken, access: result.AccessToken, refresh: result.RefreshToken };
    renderClaims(jwtClaims(result.IdToken));
    show("view-signed-in");
  }

  async function signOut() {
    const refresh = state.tokens ? state.tokens.refresh : "";
    state.tokens = null;
    state.address = "";
    $("claims").replaceChildren();
    startOver("You are signed out.");
    if (refresh) {
      // Forgetting the tokens ends this page's sign-in; revoking the refresh token ends it for any
      // copy as well. Best effort: the page is signed out either way.
      await call("RevokeToken", { Token: refresh, ClientId: config.client_id }).catch(() => null);
    }
  }

  function startOver(message) {
    forgetChallenge();
    state.linkToken = "";
    $("email").value = state.address;
    show("view-ask");
    say(message, "info");
  }

  function forgetChallenge() {
    state.session = "";
    stopCountdown();
    $("code").value = "";
  }

  // ------------------------------------------------------------------------------- magic links

  // A link is <page>#u=<email>&t=<token>. Mail scanners open links, so loading it spends nothing:
  // it only asks whose account this is, and the click does the rest.
  function land() {
    const fragment = new URLSearchParams(location.hash.slice(1));
    if (!fragment.has("u") && !fragment.has("t")) {
      return show("view-ask");
    }
    const address = fragment.get("u") || "";
    const token = fragment.get("t") || "";
    // Out of the address bar (and so out of history, bookmarks and screenshots) before anything else.
    history.replaceState(null, "", location.pathname + location.search);
    const masked = maskEmail(address);
    if (!token || !masked) {
      show("view-ask");
      return say("That sign-in link is incomplete. Enter your email to get a new one.", "error");
    }
    state.address = address.trim();
    state.linkToken = token;
    if (config.accept_invitation_url) {
      // Password mode: a link here is an invitation's. Nothing is sent until the form is submitted.
      $("accept-as").textContent = masked;
      return show("view-accept");
    }
    $("continue-as").textContent = masked;
    if (fragment.get("p") === "invitation") {
      // The email said "accept the invitation": the page says the same.
      $("continue-title").textContent = "Accept your invitation";
      $("continue-intro").textContent = "You opened an invitation. Check that it is your address, then accept it.";
      $("continue-verb").textContent = "Accept";
    }
    show("view-continue");
  }

  // passwordless/masking.py, character for character: first character of the local part, three
  // bullets, "@" and the lower-cased domain; "" for anything that is not an address.
  function maskEmail(address) {
    const trimmed = address.trim();
    const at = trimmed.lastIndexOf("@");
    const local = trimmed.slice(0, Math.max(at, 0));
    const domain = trimmed.slice(at + 1);
    if (at < 0 || !local || !domain || Array.from(address).length > 254) {
      return "";
    }
    return `${Array.from(local)[0]}\u2022\u2022\u2022@${domain.toLowerCase()}`;
  }

  // -------------------------------------------------------------------------------- presentation

  function show(id) {
    for (const view of VIEWS) {
      $(view).hidden = view !== id;
    }
    // Messages read under the view's heading: what happened belongs to where the person is.
    $(id).querySelector("h1").after($("status"));
    say("", "info");
    $(FOCUS[id]).focus();
  }

  function showCode(message) {
    $("code-email").textContent = state.masked;
    $("code").value = "";
    show("view-code");
    startCountdown();
    say(message, "info");
  }

  function say(text, tone) {
    $("status").textContent = text;
    $("status").dataset.tone = tone;
  }

  function startCountdown() {
    state.resendAt = Date.now() + config.resend_after_seconds * 1000;
    stopCountdown();
    tick();
    state.timer = setInterval(tick, 250);
  }

  function stopCountdown() {
    clearInterval(state.timer);
    state.timer = 0;
  }

  function tick() {
    const left = Math.ceil((state.resendAt - Date.now()) / 1000);
    $("resend").disabled = left > 0 || state.busy;
    $("resend-wait").textContent = left > 0 ? `You can ask for a new email in ${left} s.` : "";
    if (left <= 0) {
      stopCountdown();
    }
  }

  function jwtClaims(jwt) {
    try {
      const part = String(jwt).split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      const bytes = Uint8Array.from(atob(part.padEnd(Math.ceil(part.length / 4) * 4, "=")), (c) =>
        c.charCodeAt(0),
      );
      const claims = JSON.parse(new TextDecoder().decode(bytes));
      return claims !== null && typeof claims === "object" ? claims : {};
    } catch {
      return {};
    }
  }

  function renderClaims(claims) {
    const rows = [
      ["Email", "email", String],
      ["User id", "sub", String],
      ["Signed in at", "auth_time", asTime],
      ["ID token expires", "exp", asTime],
    ];
    const items = [];
    for (const [label, name, format] of rows) {
      if (claims[name] === undefined) {
        continue;
      }
      const term = document.createElement("dt");
      term.textContent = label;
      const value = document.createElement("dd");
      value.dataset.claim = name;
      value.append(format(claims[name]));
      items.push(term, value);
    }
    $("claims").replaceChildren(...items);
  }

  function asTime(seconds) {
    const when = new Date(Number(seconds) * 1000);
    if (Number.isNaN(when.getTime())) {
      return String(seconds);
    }
    const time = document.createElement("time");
    time.dateTime = when.toISOString();
    time.textContent = when.toLocaleString();
    return time;
  }

  // One request at a time; whatever fails unexpectedly gets a calm, generic sentence.
  async function run(button, task) {
    if (state.busy) {
      return;
    }
    state.busy = true;
    button.disabled = true;
    $("main").setAttribute("aria-busy", "true");
    try {
      await task();
    } catch (error) {
      const type = error instanceof CognitoError ? error.type : "";
      say(MESSAGES[type] || GENERIC, "error");
    } finally {
      state.busy = false;
      $("main").removeAttribute("aria-busy");
      button.disabled = false;
      tick();
    }
  }

  // ------------------------------------------------------------------------------------ wiring

  function on(id, event, task) {
    $(id).addEventListener(event, (e) => {
      e.preventDefault();
      run(e.currentTarget instanceof HTMLFormElement ? e.currentTarget.querySelector("button") : $(id), task);
    });
  }

  on("ask-form", "submit", ask);
  on("code-form", "submit", submitCode);
  on("resend", "click", resend);
  on("continue", "click", continueWithLink);
  on("new-link", "click", newLink);
  on("accept-form", "submit", acceptInvitation);
  $("start-over").addEventListener("click", () => startOver(""));
  $("continue-cancel").addEventListener("click", () => {
    state.address = ""; // someone else's link: do not offer their address
    startOver("");
  });
  $("restart").addEventListener("click", () => startOver(""));
  $("sign-out").addEventListener("click", signOut);
  // A pasted "123 456" or "123-456" keeps its digits only; typed, the separators stay until submit.
  $("code").addEventListener("paste", (event) => {
    const text = event.clipboardData ? event.clipboardData.getData("text") : "";
    const digits = text.replace(/[^0-9]/g, "");
    if (digits && digits !== text) {
      event.preventDefault();
      $("code").value = digits.slice(0, state.codeLength);
    }
  });

  if (config.sign_up_url) {
    $("ask-or-sign-up").textContent = " or create an account";
    $("ask-intro").textContent =
      "We will email you a sign-in link and a code. No password needed. New here? This creates your account.";
  }
  land();
})();
