// The official Node.js Stream SDK (`dingtalk-stream`), unchanged, as an app's bot.
//
//   node stream.mjs BASE_URL APP_KEY APP_SECRET [SCENE ...]
//
// The SDK opens its connection at DingTalk's gateway URL, a constant it does not
// let callers change: the one request to that URL is sent to BASE_URL instead
// (an axios interceptor), like the Python SDK's OPEN_CONNECTION_API in the README.
// Every EVENT frame is printed as one JSON line: its headers, its parsed data and
// the status the bot answered, LATER the first time an event of one of the
// SCENEs (data.changeScene) arrives, SUCCESS otherwise. "connected" is printed
// once the WebSocket is open. The process runs until stdin closes.
import axios from "axios";
import { DWClient, EventAck } from "dingtalk-stream";
import { GATEWAY_URL } from "dingtalk-stream/constants";

const [base, clientId, clientSecret, ...laterScenes] = process.argv.slice(2);
const gateway = new URL(GATEWAY_URL);

axios.interceptors.request.use((config) => {
  if (config.url === GATEWAY_URL) {
    config.url = new URL(gateway.pathname, base).href;
  }
  return config;
});

const seen = new Map();
const client = new DWClient({ clientId, clientSecret });
client.registerAllEventListener((message) => {
  const data = JSON.parse(message.data);
  const eventId = message.headers.eventId;
  const times = (seen.get(eventId) ?? 0) + 1;
  seen.set(eventId, times);
  const later = times === 1 && laterScenes.includes(data.changeScene);
  const status = later ? EventAck.LATER : EventAck.SUCCESS;
  console.log(JSON.stringify({ headers: message.headers, data, status }));
  return { status };
});

// Quiet the SDK's own "connect success" line: stdout carries JSON lines only.
console.info = () => {};
await client.connect();
while (!client.connected) {
  await new Promise((resolve) => setTimeout(resolve, 20));
}
console.log(JSON.stringify({ connected: true }));
process.stdin.resume();
process.stdin.on("end", () => {
  client.disconnect();
  process.exit(0);
});
