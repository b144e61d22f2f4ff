// A typical first Node.js server: listen(8000) with no host.
const net = require('net');

const server = net.createServer((socket) => {
  socket.write('hello\n');
  socket.on('data', (data) => {
    console.log('got ' + data);
    socket.write(data);
    socket.end();
  });
});

server.listen(8000, () => console.log('listening on 8000'));
