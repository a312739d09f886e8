package io.impflow.testkit.process;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Free ports on the loopback interface for a child process to bind moments later. */
public final class LoopbackPorts {

    private LoopbackPorts() {
    }

    /**
     * Returns the loopback address as text, the host every child process binds and advertises.
     *
     * @return e.g. {@code 127.0.0.1}
     */
    public static String host() {
        return InetAddress.getLoopbackAddress().getHostAddress();
    }

    /**
     * Finds distinct free ports: every probe socket stays open until all ports are chosen.
     *
     * @param count how many ports
     * @return the ports, free when probed (another process may still take one before the child binds it)
     * @throws IOException if a socket cannot be bound
     */
    public static int[] free(int count) throws IOException {
        ServerSocket[] sockets = new ServerSocket[count];
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                sockets[i] = new ServerSocket();
                sockets[i].bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket socket : sockets) {
                if (socket != null) {
                    try {
                        socket.close();
                    } catch (IOException e) {
                        // The port was only probed; a failed close changes nothing for the child process.
                    }
                }
            }
        }
    }
}
