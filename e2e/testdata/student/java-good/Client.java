import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

// The lecture's client in Java: call args[0], port args[1]; read the
// greeting, send a line, read the echo until the server hangs up.
public class Client {
    public static void main(String[] args) throws Exception {
        try (Socket s = new Socket(args[0], Integer.parseInt(args[1]))) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            byte[] buf = new byte[1024];
            int n = in.read(buf);
            System.out.print(new String(buf, 0, n));
            out.write("hi back atcha\n".getBytes());
            out.flush();
            while ((n = in.read(buf)) != -1) {
                System.out.print(new String(buf, 0, n));
            }
        }
    }
}
