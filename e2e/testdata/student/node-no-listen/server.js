// The lecture's server in Node.js without listen(): createServer() makes
// the server, but nothing starts it listening, and Node ends at once.
const net = require('net');
const os = require('os');

const eth0 = (os.networkInterfaces().eth0 || []).find((a) => a.family === 'IPv4' || a.family === 4);
if (!eth0) {
  console.error('no IPv4 address on eth0');
  process.exit(1);
}

const server = net.createServer((socket) => {
  socket.write('hello\n');
  // One read of up to 1000 bytes, as the lecture's recv(1000): one 'data'
  // event may bring more.
  socket.once('data', (chunk) => {
    const data = chunk.subarray(0, 1000);
    console.log(`${socket.remoteAddress} said ${JSON.stringify(data.toString())}`);
    socket.end(data);
  });
  socket.on('error', () => {});
  socket.setTimeout(30000, () => socket.destroy());
});

console.log(`server listening at ${eth0.address}:8000`);
