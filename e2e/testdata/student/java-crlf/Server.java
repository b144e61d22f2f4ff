import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Collections;

// The lecture's server in Java, greeting with a Windows line ending,
// "hello\r\n".
public class Server {
    static InetAddress ethAddr(String name) throws IOException {
        NetworkInterface ni = NetworkInterface.getByName(name);
        if (ni == null) throw new IOException("no interface " + name);
        for (InetAddress a : Collections.list(ni.getInetAddresses())) {
            if (a instanceof Inet4Address) return a;
        }
        throw new IOException("no IPv4 address on " + name);
    }

    public static void main(String[] args) throws IOException {
        InetAddress ip = ethAddr("eth0");
        ServerSocket server = new ServerSocket(8000, 5, ip);
        System.out.println("server listening at " + ip.getHostAddress() + ":8000");
        while (true) {
            try (Socket s = server.accept()) {
                OutputStream out = s.getOutputStream();
                InputStream in = s.getInputStream();
                out.write("hello\r\n".getBytes());
                out.flush();
                byte[] buf = new byte[1000];
                int n = in.read(buf, 0, 1000);
                if (n > 0) {
                    System.out.print(s.getInetAddress().getHostAddress() + " said " + new String(buf, 0, n));
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                System.out.println("call failed: " + e.getMessage());
            }
        }
    }
}
