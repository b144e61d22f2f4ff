import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.net.Socket;

// A typical first Java server: every interface, a PrintWriter that is never
// flushed, and readLine.
public class Server {
    public static void main(String[] args) throws IOException {
        ServerSocket server = new ServerSocket(8000);
        System.out.println("server listening on port 8000");
        while (true) {
            Socket client = server.accept();
            PrintWriter out = new PrintWriter(client.getOutputStream());
            BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream()));
            out.println("hello");
            String line = in.readLine();
            System.out.println("got: " + line);
            out.println(line);
            client.close();
        }
    }
}
