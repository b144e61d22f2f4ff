// The lecture's client in Node.js: call process.argv[2], port
// process.argv[3]; read the greeting, send a line, read the echo to the end.
const net = require('net');

const [host, port] = process.argv.slice(2);
const socket = net.createConnection(Number(port), host);
let greeted = false;
socket.on('data', (data) => {
  process.stdout.write(data);
  if (!greeted) {
    greeted = true;
    socket.write('hi back atcha\n');
  }
});
socket.on('end', () => socket.end());
socket.on('error', (err) => {
  console.error(err.message);
  process.exit(1);
});
