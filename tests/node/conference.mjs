// The official Node.js conference SDK (`@alicloud/dingtalk`), unchanged, against
// a dingconf server seeded with tests/conftest.py's SEED.
//
//   node conference.mjs BASE_URL
//
// Runs one meeting's life (token, create, people join through dingconf's control
// API, query its info and members, close it) and calls that must fail, then
// prints one JSON document: each call's HTTP status and body as the SDK parsed
// them, or the SDK's error (code, statusCode, message, data).
import conference from "@alicloud/dingtalk/conference_1_0.js";
import oauth2 from "@alicloud/dingtalk/oauth2_1_0.js";
import { Config } from "@alicloud/openapi-client";
import { RuntimeOptions } from "@alicloud/tea-util";

const base = new URL(process.argv[2]);
const config = new Config({ protocol: "http", endpoint: base.host });
const oauth = new oauth2.default(config);
const client = new conference.default(config);
const runtime = new RuntimeOptions({});

/** A call's outcome: {statusCode, body} or {error: {code, statusCode, message, data}}. */
async function outcome(call) {
  try {
    const response = await call();
    return { statusCode: response.statusCode, body: response.body };
  } catch (error) {
    const { code, statusCode, message, data } = error;
    return { error: { code, statusCode, message, data } };
  }
}

function token(appKey, appSecret) {
  const request = new oauth2.GetAccessTokenRequest({ appKey, appSecret });
  return outcome(() => oauth.getAccessToken(request));
}

function headers(Kind, accessToken) {
  return new Kind({ xAcsDingtalkAccessToken: accessToken });
}

function create(accessToken, fields) {
  const request = new conference.CreateVideoConferenceRequest(fields);
  const sent = headers(conference.CreateVideoConferenceHeaders, accessToken);
  return outcome(() => client.createVideoConferenceWithOptions(request, sent, runtime));
}

function info(accessToken, conferenceId) {
  const sent = headers(conference.QueryConferenceInfoHeaders, accessToken);
  return outcome(() => client.queryConferenceInfoWithOptions(conferenceId, sent, runtime));
}

function members(accessToken, conferenceId) {
  const request = new conference.QueryConferenceMembersRequest({ maxResults: 20 });
  const sent = headers(conference.QueryConferenceMembersHeaders, accessToken);
  return outcome(() =>
    client.queryConferenceMembersWithOptions(conferenceId, request, sent, runtime),
  );
}

function close(accessToken, conferenceId, unionId) {
  const request = new conference.CloseVideoConferenceRequest({ unionId });
  const sent = headers(conference.CloseVideoConferenceHeaders, accessToken);
  return outcome(() =>
    client.closeVideoConferenceWithOptions(conferenceId, request, sent, runtime),
  );
}

/** What a real client would do in the meeting: dingconf's control API. */
async function control(conferenceId, action, unionId) {
  const url = new URL(`/_dingconf/conferences/${conferenceId}/${action}`, base);
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ unionId }),
  });
  if (response.status !== 200) {
    throw new Error(`${action} ${unionId}: ${response.status} ${await response.text()}`);
  }
}

const result = { token: await token("acme-app", "acme-secret") };
const acme = result.token.body.accessToken;
const globex = (await token("globex-app", "globex-secret")).body.accessToken;
result.created = await create(acme, {
  userId: "u-host",
  confTitle: "Node review",
  inviteUserIds: ["u-bob"],
});
const id = result.created.body.conferenceId;
for (const who of ["u-alice", "u-bob", "u-carol"]) {
  await control(id, "join", who);
}
await control(id, "leave", "u-carol");
result.info = await info(acme, id);
result.members = await members(acme, id);
result.closed = await close(acme, id, "u-host");
result.infoClosed = await info(acme, id);
result.errors = {
  badSecret: await token("acme-app", "wrong-secret"),
  missingToken: await info(undefined, id),
  badToken: await info("0".repeat(32), id),
  otherOrg: await info(globex, id),
  unknownId: await info(acme, "not-a-conference-id"),
  missingTitle: await create(acme, { userId: "u-host" }),
  notHost: await close(acme, id, "u-alice"),
  closedAgain: await close(acme, id, "u-host"),
};
console.log(JSON.stringify(result));
