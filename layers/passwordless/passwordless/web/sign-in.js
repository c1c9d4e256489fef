// Passwordless sign-in against Cognito's JSON API (CUSTOM_AUTH), with plain fetch: no SDK, no storage.
// Tokens, the challenge session and a magic link's secret live in this closure only, and nothing that
// came from the network or a link reaches the page except through textContent.
// Passkeys (when configured): WebAuthn through the browser's own API, answered on a second app client.
// The page only moves bytes between the browser and the server (base64url); the server verifies all.
"use strict";

(() => {
  const config = JSON.parse(document.getElementById("config").textContent);
  const $ = (id) => document.getElementById(id);
  // Room for a space or dash between every two digits ("123 456", "12-34-56"), as people type codes;
  // submit keeps the digits only.
  const codeBoxLength = (digits) => 2 * digits - 1;
  const VIEWS = [
    "view-ask",
    "view-passkey",
    "view-code",
    "view-continue",
    "view-accept",
    "view-link-refused",
    "view-failed",
    "view-signed-in",
  ];
  // Where focus lands when a view appears: its input, or its heading when it has none to fill.
  const FOCUS = {
    "view-ask": "email",
    "view-passkey": "passkey-title",
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
  const ADDRESS = /^[^\s@]+@[^\s@]+$/;
  const PASSKEY_REFUSED = "That passkey did not work. Try again, or use email instead.";
  const NO_PASSKEY_USED = "No passkey was used. Try again, or use email instead.";
  const SIGN_IN_AGAIN = "Sign in again to add a passkey.";
  const SIGNED_OUT_ELSEWHERE = "Your sign-in has ended. Sign out, then sign in again.";
  // Passkeys need the passkey client, the account API (for challenges), a browser with WebAuthn, and
  // this page on the relying party's domain (browsers refuse passkeys anywhere else, 127.0.0.1 included).
  const PASSKEYS = {
    clientId: config.passkey_client_id || "",
    rpId: config.passkey_rp_id || "",
    api: (config.account_api_url || "").replace(/\/+$/, ""),
  };
  const host = location.hostname;
  const onRelyingParty = PASSKEYS.rpId !== "" && (host === PASSKEYS.rpId || host.endsWith(`.${PASSKEYS.rpId}`));
  const passkeysOn = Boolean(PASSKEYS.clientId && PASSKEYS.api && onRelyingParty && window.PublicKeyCredential);
  // Whether the browser offers passkeys in the address field's autofill; asked once.
  const autofillAvailable = conditionalMediation();
  const MIN_PASSWORD_LENGTH = 12; // the user pool's password policy
  const RESEND = { answer: "resend", metadata: { resend: "true" } };

  const state = {
    address: "", // what the person typed, or the link's address: InitiateAuth's USERNAME
    username: "", // ChallengeParameters.USERNAME: what Cognito wants back with every answer
    masked: "",
    session: "", // the live challenge session; "" when there is none
    codeLength: 6,
    linkToken: "", // a magic link's secret, held until the click that spends it
    tokens: null, // { id, access, refresh, clientId }: the client that issued them revokes them
    autofill: null, // the AbortController of a pending passkey autofill request, or null
    listings: 0, // how many times the passkey list was asked for: only the newest answer is shown
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

  // The account API answered a passkey request with something unforeseen: the generic "try again".
  class AccountApiError extends Error {}

  // ------------------------------------------------------------------------------------ requests

  // Every request leaves the page the same way: never answered from or kept in the HTTP cache (the
  // answers carry tokens), and with no cookies or referrer, so it carries only what its caller put in
  // it. `body` goes as JSON (none when undefined); `failure()` makes what is thrown when no answer came.
  async function send(url, method, headers, body, failure) {
    try {
      return await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: "no-store",
        credentials: "omit",
        referrerPolicy: "no-referrer",
      });
    } catch {
      throw failure();
    }
  }

  const networkError = () => new CognitoError("NetworkError");

  // ------------------------------------------------------------------------------ Cognito JSON API

  async function call(operation, body) {
    const headers = {
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": `AWSCognitoIdentityProviderService.${operation}`,
    };
    const response = await send(config.endpoint, "POST", headers, body, networkError);
    const data = await response.json().catch(() => null);
    if (response.ok && data !== null && typeof data === "object") {
      return data;
    }
    // Errors read {"__type": "[namespace#]NotAuthorizedException", "message": ...}.
    const type = data !== null && typeof data.__type === "string" ? data.__type : "";
    throw new CognitoError(type.slice(type.lastIndexOf("#") + 1) || "UnknownError");
  }

  function initiate(address, clientId = config.client_id) {
    return call("InitiateAuth", {
      AuthFlow: "CUSTOM_AUTH",
      ClientId: clientId,
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
    await askByEmail($("email").value.trim());
  }

  async function askByEmail(address) {
    if (!ADDRESS.test(address) || (config.sign_up_url && !(await signUp(address)))) {
      show("view-ask");
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
    const response = await send(
      config.sign_up_url,
      "POST",
      { "Content-Type": "application/json" },
      { email: address },
      () => new SignUpError(),
    );
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
    const response = await send(
      config.accept_invitation_url,
      "POST",
      { "Content-Type": "application/json" },
      { email: state.address, token: state.linkToken, password },
      networkError,
    );
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

  function signedIn(result, clientId = config.client_id) {
    forgetChallenge();
    state.tokens = { id: result.IdToken, access: result.AccessToken, refresh: result.RefreshToken, clientId };
    renderClaims(jwtClaims(result.IdToken));
    show("view-signed-in");
    if (passkeysOn) {
      // Not awaited: "Add a passkey" works while the list loads (listPasskeys keeps the newest answer).
      $("passkeys").hidden = false;
      listPasskeys().catch(() => say("We could not load your passkeys just now.", "error"));
    }
  }

  async function signOut() {
    const tokens = state.tokens;
    state.tokens = null;
    state.address = "";
    $("claims").replaceChildren();
    $("passkey-list").replaceChildren();
    $("passkeys").hidden = true;
    startOver("You are signed out.");
    if (tokens && tokens.refresh) {
      // Forgetting the tokens ends this page's sign-in; revoking the refresh token ends it for any
      // copy as well. Best effort: the page is signed out either way.
      await call("RevokeToken", { Token: tokens.refresh, ClientId: tokens.clientId }).catch(() => null);
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

  // ---------------------------------------------------------------------------------- passkeys

  // The account API's passkey routes: JSON in and out, a bearer token where the route needs one.
  async function accountApi(method, path, body, token) {
    const headers = {};
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
    }
    if (token) {
      headers.Authorization = `Bearer ${token}`;
    }
    const response = await send(PASSKEYS.api + path, method, headers, body, networkError);
    const data = await response.json().catch(() => null);
    return { status: response.status, data: data !== null && typeof data === "object" ? data : {} };
  }

  async function signInOptions() {
    const { status, data } = await accountApi("POST", "/passkeys/sign-in-options", {});
    if (status !== 200 || !data.options || typeof data.options.challenge !== "string") {
      throw new AccountApiError();
    }
    return data.options;
  }

  // The button: with an address typed, that account's passkeys; without, any passkey for this site
  // (the browser offers them, and the chosen one names its account).
  async function passkeySignIn() {
    const address = $("email").value.trim();
    if (address && !ADDRESS.test(address)) {
      say(INVALID_ADDRESS, "error");
      return $("email").focus();
    }
    state.address = address;
    show("view-passkey");
    await passkeyAttempt();
  }

  async function passkeyAttempt() {
    say("", "info");
    let outcome;
    try {
      outcome = state.address ? await passkeyForAddress(state.address) : await passkeyForAnyone(null);
    } catch (error) {
      outcome = passkeyFailure(error);
    }
    if (outcome !== "signed-in") {
      say(outcome, "error");
      $("passkey-retry").focus();
    }
  }

  // Typed address: the session first, then the browser's own passkeys for this site. The challenge
  // names no credential (it would tell anyone who types an address whether it has an account), so
  // an unknown address and an account without a passkey look the same: the browser finds none.
  async function passkeyForAddress(address) {
    const reply = await initiate(address, PASSKEYS.clientId);
    if (isSignedIn(reply)) {
      throw new CognitoError("UnexpectedReply");
    }
    const parameters = reply.ChallengeParameters || {};
    const options = await signInOptions();
    const credential = await navigator.credentials.get({ publicKey: requestOptions(options) });
    return answerWithPasskey(reply, parameters.USERNAME || address, credential);
  }

  // Usernameless (the button with no address, or autofill): the passkey first; its user handle is
  // the Cognito username, and the session starts with it.
  async function passkeyForAnyone(credential) {
    const chosen =
      credential || (await navigator.credentials.get({ publicKey: requestOptions(await signInOptions()) }));
    const username = userHandleOf(chosen);
    if (!username) {
      return PASSKEY_REFUSED;
    }
    const reply = await initiate(username, PASSKEYS.clientId);
    if (isSignedIn(reply)) {
      throw new CognitoError("UnexpectedReply");
    }
    return answerWithPasskey(reply, (reply.ChallengeParameters || {}).USERNAME || username, chosen);
  }

  async function answerWithPasskey(challenge, username, credential) {
    let reply;
    try {
      reply = await call("RespondToAuthChallenge", {
        ChallengeName: "CUSTOM_CHALLENGE",
        ClientId: PASSKEYS.clientId,
        Session: challenge.Session,
        ChallengeResponses: { USERNAME: username, ANSWER: JSON.stringify(assertionJson(credential)) },
      });
    } catch (error) {
      if (error instanceof CognitoError && error.type === "NotAuthorizedException") {
        return PASSKEY_REFUSED;
      }
      throw error;
    }
    // Refused: Cognito offers another round, but a new try starts afresh (a new challenge is needed).
    if (!isSignedIn(reply)) {
      return PASSKEY_REFUSED;
    }
    signedIn(reply.AuthenticationResult, PASSKEYS.clientId);
    return "signed-in";
  }

  // What the browser's refusals mean to the person; anything else is for run()'s generic sentence.
  function passkeyFailure(error) {
    if (error instanceof DOMException && error.name === "NotAllowedError") {
      return NO_PASSKEY_USED; // cancelled, timed out, or no passkey here for this account
    }
    if (error instanceof DOMException) {
      return PASSKEY_REFUSED;
    }
    throw error;
  }

  function useEmailInstead() {
    stopAutofill();
    if (state.address) {
      return askByEmail(state.address); // today's flow: one InitiateAuth on the web client, one email
    }
    show("view-ask");
    say("Enter your email address and we will email you a sign-in link.", "info");
    return undefined;
  }

  // Passkey autofill: a quiet request the browser answers only when the person picks a passkey from
  // the address field's suggestions. Aborted as soon as they do anything else.
  async function startAutofill() {
    if (!passkeysOn || state.autofill || $("view-ask").hidden) {
      return;
    }
    const controller = new AbortController();
    state.autofill = controller; // before any await: one request at a time
    let credential;
    try {
      if (!(await autofillAvailable)) {
        throw new Error("no autofill");
      }
      $("email").autocomplete = "username webauthn";
      const options = await signInOptions();
      if (controller.signal.aborted) {
        return;
      }
      credential = await navigator.credentials.get({
        mediation: "conditional",
        publicKey: requestOptions(options),
        signal: controller.signal,
      });
    } catch {
      // Aborted, no autofill in this browser, or the request failed: the buttons still work. The
      // controller stays when there is no autofill, so nothing asks again.
      return;
    }
    if (state.autofill !== controller) {
      return;
    }
    state.autofill = null;
    await run($("passkey-sign-in"), async () => {
      state.address = "";
      show("view-passkey");
      let outcome;
      try {
        outcome = await passkeyForAnyone(credential);
      } catch (error) {
        outcome = passkeyFailure(error);
      }
      if (outcome !== "signed-in") {
        say(outcome, "error");
        $("passkey-retry").focus();
      }
    });
  }

  async function conditionalMediation() {
    try {
      return (
        passkeysOn &&
        typeof PublicKeyCredential.isConditionalMediationAvailable === "function" &&
        (await PublicKeyCredential.isConditionalMediationAvailable()) === true
      );
    } catch {
      return false;
    }
  }

  function stopAutofill() {
    if (state.autofill) {
      state.autofill.abort();
      state.autofill = null;
    }
  }

  // --- the signed-in person's passkeys

  async function addPasskey() {
    const token = state.tokens ? state.tokens.access : "";
    const asked = await accountApi("POST", "/account/passkeys/options", {}, token);
    if (asked.status === 401 || asked.status === 403) {
      return say(asked.status === 403 ? SIGN_IN_AGAIN : SIGNED_OUT_ELSEWHERE, "error");
    }
    if (asked.status !== 200 || !asked.data.options || typeof asked.data.options.challenge !== "string") {
      throw new AccountApiError();
    }
    let credential;
    try {
      credential = await navigator.credentials.create({ publicKey: creationOptions(asked.data.options) });
    } catch (error) {
      if (error instanceof DOMException && error.name === "InvalidStateError") {
        return say("This device already holds a passkey for your account.", "error");
      }
      if (error instanceof DOMException) {
        return say("No passkey was added.", "error");
      }
      throw error;
    }
    const body = { credential: registrationJson(credential) };
    const name = $("passkey-name").value.trim();
    if (name) {
      body.name = name;
    }
    const saved = await accountApi("POST", "/account/passkeys", body, token);
    if (saved.status === 401 || saved.status === 403) {
      return say(saved.status === 403 ? SIGN_IN_AGAIN : SIGNED_OUT_ELSEWHERE, "error");
    }
    if (saved.status === 400) {
      return say("That passkey could not be added. Try again.", "error");
    }
    if (saved.status === 409) {
      return say("That passkey is already added, or you have as many passkeys as you may.", "error");
    }
    if (saved.status !== 201) {
      throw new AccountApiError();
    }
    $("passkey-name").value = "";
    await listPasskeys();
    say("Passkey added. Next time, sign in with it.", "info");
  }

  async function listPasskeys() {
    const asked = ++state.listings;
    const { status, data } = await accountApi("GET", "/account/passkeys", undefined, state.tokens.access);
    if (asked !== state.listings || !state.tokens) {
      return undefined; // a newer list was asked for, or the person signed out meanwhile
    }
    if (status === 401) {
      return say(SIGNED_OUT_ELSEWHERE, "error");
    }
    if (status !== 200 || !Array.isArray(data.passkeys)) {
      throw new AccountApiError();
    }
    const items = data.passkeys.filter((p) => p && typeof p === "object" && typeof p.id === "string");
    $("passkey-list").replaceChildren(...items.map(passkeyItem));
    $("passkeys-none").hidden = items.length > 0;
    return undefined;
  }

  function passkeyItem(passkey) {
    const item = document.createElement("li");
    item.dataset.passkeyId = passkey.id;
    const name = document.createElement("strong");
    name.className = "passkey-name";
    name.textContent = typeof passkey.name === "string" && passkey.name ? passkey.name : "Passkey";
    const meta = document.createElement("span");
    meta.className = "passkey-meta";
    meta.append("Added ", isoTime(passkey.createdAt), ". ");
    if (passkey.lastUsedAt) {
      meta.append("Last used ", isoTime(passkey.lastUsedAt), ".");
    } else {
      meta.append("Not used yet.");
    }
    const rename = button("Rename", "rename");
    const remove = button("Remove", "remove");
    rename.addEventListener("click", () => startRename(item, passkey, name.textContent));
    remove.addEventListener("click", () => run(remove, () => removePasskey(passkey.id)));
    const actions = document.createElement("span");
    actions.className = "passkey-actions";
    actions.append(rename, " ", remove);
    item.append(name, " ", meta, " ", actions);
    return item;
  }

  function startRename(item, passkey, current) {
    const form = document.createElement("form");
    form.className = "passkey-rename";
    form.noValidate = true;
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.type = "text";
    input.maxLength = 64;
    input.autocomplete = "off";
    input.value = current;
    label.append("New name", input);
    const save = document.createElement("button");
    save.type = "submit";
    save.textContent = "Save";
    form.append(label, save);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      run(save, () => renamePasskey(passkey.id, input));
    });
    item.querySelector(".passkey-actions").replaceWith(form);
    input.focus();
  }

  async function renamePasskey(id, input) {
    const name = input.value.trim();
    if (!name) {
      say("Enter a name for the passkey.", "error");
      return input.focus();
    }
    const path = `/account/passkeys/${encodeURIComponent(id)}`;
    const { status } = await accountApi("PATCH", path, { name }, state.tokens.access);
    if (status === 401) {
      return say(SIGNED_OUT_ELSEWHERE, "error");
    }
    if (status === 400) {
      say("That name did not work. Try a shorter one.", "error");
      return input.focus();
    }
    if (status !== 200) {
      throw new AccountApiError();
    }
    await listPasskeys();
    say("Passkey renamed.", "info");
    return undefined;
  }

  async function removePasskey(id) {
    const path = `/account/passkeys/${encodeURIComponent(id)}`;
    const { status } = await accountApi("DELETE", path, undefined, state.tokens.access);
    if (status === 401) {
      return say(SIGNED_OUT_ELSEWHERE, "error");
    }
    if (status === 404) {
      // Not removed (already gone, or not one this account may remove): the list shows what is left.
      await listPasskeys();
      return say("That passkey could not be removed. The list shows the passkeys that still sign you in.", "error");
    }
    if (status !== 200) {
      throw new AccountApiError();
    }
    await listPasskeys();
    say("Passkey removed. It no longer signs you in.", "info");
    return undefined;
  }

  function button(text, action) {
    const made = document.createElement("button");
    made.type = "button";
    made.className = "link";
    made.dataset.action = action;
    made.textContent = text;
    return made;
  }

  function isoTime(value) {
    const when = new Date(String(value));
    if (typeof value !== "string" || Number.isNaN(when.getTime())) {
      return "at an unknown time";
    }
    const time = document.createElement("time");
    time.dateTime = when.toISOString();
    time.textContent = when.toLocaleDateString();
    return time;
  }

  // --- WebAuthn's JSON forms (base64url for every byte string), both ways

  function requestOptions(json) {
    return {
      ...json,
      challenge: fromBase64url(json.challenge),
      allowCredentials: (json.allowCredentials || []).map((c) => ({ ...c, id: fromBase64url(c.id) })),
    };
  }

  function creationOptions(json) {
    return {
      ...json,
      challenge: fromBase64url(json.challenge),
      user: { ...json.user, id: fromBase64url(json.user.id) },
      excludeCredentials: (json.excludeCredentials || []).map((c) => ({ ...c, id: fromBase64url(c.id) })),
    };
  }

  function assertionJson(credential) {
    const response = credential.response;
    const fields = {
      clientDataJSON: toBase64url(response.clientDataJSON),
      authenticatorData: toBase64url(response.authenticatorData),
      signature: toBase64url(response.signature),
    };
    if (response.userHandle) {
      fields.userHandle = toBase64url(response.userHandle);
    }
    return credentialJson(credential, fields);
  }

  function registrationJson(credential) {
    const response = credential.response;
    return credentialJson(credential, {
      clientDataJSON: toBase64url(response.clientDataJSON),
      attestationObject: toBase64url(response.attestationObject),
      transports: typeof response.getTransports === "function" ? response.getTransports() : [],
    });
  }

  // What PublicKeyCredential.toJSON() gives, around either ceremony's response fields.
  function credentialJson(credential, response) {
    const json = {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      response,
      clientExtensionResults: credential.getClientExtensionResults(),
    };
    if (credential.authenticatorAttachment) {
      json.authenticatorAttachment = credential.authenticatorAttachment;
    }
    return json;
  }

  // The user handle is the Cognito username, as UTF-8; "" when there is none or it is not text.
  function userHandleOf(credential) {
    const handle = credential && credential.response ? credential.response.userHandle : null;
    if (!handle || handle.byteLength === 0) {
      return "";
    }
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(handle);
    } catch {
      return "";
    }
  }

  function toBase64url(buffer) {
    let binary = "";
    for (const byte of new Uint8Array(buffer)) {
      binary += String.fromCharCode(byte);
    }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function fromBase64url(text) {
    const base64 = String(text).replace(/-/g, "+").replace(/_/g, "/");
    const binary = atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, "="));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
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
    if (id === "view-ask") {
      startAutofill();
    } else {
      stopAutofill();
    }
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
      const claims = JSON.parse(new TextDecoder().decode(fromBase64url(String(jwt).split(".")[1])));
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

  // One request at a time; whatever fails unexpectedly gets a calm, generic sentence. Any button
  // ends a pending passkey autofill request (the browser runs one WebAuthn request at a time).
  async function run(button, task) {
    if (state.busy) {
      return;
    }
    stopAutofill();
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
      if (!$("view-ask").hidden) {
        startAutofill(); // still asking (an address refused, say): autofill again
      }
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
  on("passkey-sign-in", "click", passkeySignIn);
  on("passkey-retry", "click", passkeyAttempt);
  on("passkey-use-email", "click", useEmailInstead);
  on("passkey-add-form", "submit", addPasskey);
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
  $("passkey-offer").hidden = !passkeysOn;
  land();
  // A link pasted into the tab that asked for it changes only the part after "#": the browser does
  // not load the page again, so the page reads the new link itself.
  window.addEventListener("hashchange", () => {
    const fragment = new URLSearchParams(location.hash.slice(1));
    if (fragment.has("u") || fragment.has("t")) {
      land();
    }
  });
})();
