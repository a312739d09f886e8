package io.impflow.testkit.kafka;

import io.impflow.testkit.process.ChildJvm;
import io.impflow.testkit.process.LoopbackPorts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A SASL_SSL set-up for the {@linkplain KafkaProcessCluster process broker}: a TLS key pair and truststore made
 * with the JDK's {@code keytool}, SCRAM-SHA-512 users created when the storage is formatted, and the
 * {@code StandardAuthorizer} with one super user (the test's admin, also the broker's own inter-broker identity).
 *
 * <p>Clients reach the broker only over SASL_SSL. The KRaft controller listener stays PLAINTEXT on loopback and its
 * anonymous principal is a super user, because the broker registers with its own controller over it; that listener
 * is not advertised to clients. For tests only: passwords are random per set-up and sit in the broker's files.
 */
public final class KafkaSecurity {

    /** The SASL mechanism of every user. */
    public static final String MECHANISM = "SCRAM-SHA-512";

    /** The authorizer the broker runs. */
    public static final String AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer";

    private static final Duration KEYTOOL_TIMEOUT = Duration.ofSeconds(60);

    private final Path truststore;
    private final Path keystore;
    private final String storePassword;
    private final String superUser;
    private final Map<String, String> passwords;

    private KafkaSecurity(Path truststore, Path keystore, String storePassword, String superUser,
            Map<String, String> passwords) {
        this.truststore = truststore;
        this.keystore = keystore;
        this.storePassword = storePassword;
        this.superUser = superUser;
        this.passwords = passwords;
    }

    /**
     * Generates the broker's TLS key pair (for the loopback host) and a truststore holding its certificate in
     * {@code directory}, and random SCRAM passwords for {@code superUser} and every other user.
     *
     * @param directory  where the keystore and truststore are written; created when missing
     * @param superUser  the admin user: every operation is allowed to it, and the broker authenticates as it
     * @param otherUsers users whose rights the test grants with ACLs
     * @return the set-up, to pass to {@link KafkaProcessCluster#start(Path, KafkaSecurity)}
     * @throws KafkaClusterException if {@code keytool} fails
     */
    public static KafkaSecurity saslSsl(Path directory, String superUser, String... otherUsers) {
        String storePassword = randomPassword();
        Path keystore = directory.toAbsolutePath().resolve("broker-keystore.p12");
        Path certificate = directory.toAbsolutePath().resolve("broker.crt");
        Path truststore = directory.toAbsolutePath().resolve("truststore.p12");
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new KafkaClusterException("Could not create " + directory + " for the TLS material: " + e, e);
        }
        String host = LoopbackPorts.host();
        keytool(directory, "-genkeypair", "-alias", "broker", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=impflow-test-broker", "-ext", "SAN=ip:" + host + ",dns:localhost", "-validity", "7",
                "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", storePassword);
        keytool(directory, "-exportcert", "-alias", "broker", "-keystore", keystore.toString(), "-storepass",
                storePassword, "-rfc", "-file", certificate.toString());
        keytool(directory, "-importcert", "-noprompt", "-alias", "broker", "-file", certificate.toString(),
                "-keystore", truststore.toString(), "-storetype", "PKCS12", "-storepass", storePassword);
        Map<String, String> passwords = new LinkedHashMap<>();
        passwords.put(superUser, randomPassword());
        for (String user : otherUsers) {
            passwords.put(user, randomPassword());
        }
        return new KafkaSecurity(truststore, keystore, storePassword, superUser,
                Collections.unmodifiableMap(passwords));
    }

    /**
     * Returns the client settings that authenticate as {@code user} over SASL_SSL, trusting the broker's certificate.
     *
     * @param user one of the users of this set-up
     * @return {@code security.protocol}, {@code sasl.*} and {@code ssl.truststore.*} settings
     */
    public Map<String, String> clientProperties(String user) {
        return clientProperties(user, password(user));
    }

    /**
     * Returns client settings for {@code user} with a given password (e.g. a wrong one).
     *
     * @param user     the user name
     * @param password the password to present
     * @return {@code security.protocol}, {@code sasl.*} and {@code ssl.truststore.*} settings
     */
    public Map<String, String> clientProperties(String user, String password) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("security.protocol", "SASL_SSL");
        properties.put("sasl.mechanism", MECHANISM);
        properties.put("sasl.jaas.config", jaas(user, password));
        properties.put("ssl.truststore.location", truststore.toString());
        properties.put("ssl.truststore.password", storePassword);
        properties.put("ssl.truststore.type", "PKCS12");
        return Collections.unmodifiableMap(properties);
    }

    /**
     * Returns the password of a user of this set-up.
     *
     * @param user the user name
     * @return its SCRAM password
     */
    public String password(String user) {
        String password = passwords.get(user);
        if (password == null) {
            throw new IllegalArgumentException("no user '" + user + "' in this set-up; users: " + passwords.keySet());
        }
        return password;
    }

    /**
     * Returns the super user's name.
     *
     * @return the admin user
     */
    public String superUser() {
        return superUser;
    }

    /** The admin client settings the cluster uses itself (topic creation, readiness). */
    Map<String, String> superUserProperties() {
        return clientProperties(superUser);
    }

    /** Broker settings replacing the plaintext listeners: SASL_SSL for clients and the broker, the authorizer. */
    Map<String, String> brokerSettings(String host, int brokerPort, int controllerPort) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("listeners", "SASL_SSL://" + host + ":" + brokerPort + ",CONTROLLER://" + host + ":"
                + controllerPort);
        settings.put("advertised.listeners", "SASL_SSL://" + host + ":" + brokerPort);
        settings.put("listener.security.protocol.map", "SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT");
        settings.put("inter.broker.listener.name", "SASL_SSL");
        settings.put("sasl.enabled.mechanisms", MECHANISM);
        settings.put("sasl.mechanism.inter.broker.protocol", MECHANISM);
        settings.put("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
                jaas(superUser, password(superUser)));
        settings.put("ssl.keystore.location", keystore.toString());
        settings.put("ssl.keystore.password", storePassword);
        settings.put("ssl.key.password", storePassword);
        settings.put("ssl.keystore.type", "PKCS12");
        settings.put("ssl.truststore.location", truststore.toString());
        settings.put("ssl.truststore.password", storePassword);
        settings.put("ssl.truststore.type", "PKCS12");
        settings.put("authorizer.class.name", AUTHORIZER);
        settings.put("allow.everyone.if.no.acl.found", "false");
        // The controller listener's principal is ANONYMOUS (PLAINTEXT): the broker's own registration with its
        // controller must be authorized.
        settings.put("super.users", "User:" + superUser + ";User:ANONYMOUS");
        return settings;
    }

    /** {@code kafka-storage format} arguments that create every user's SCRAM credentials. */
    List<String> formatArguments() {
        List<String> arguments = new ArrayList<>();
        passwords.forEach((user, password) -> {
            arguments.add("--add-scram");
            arguments.add(MECHANISM + "=[name=" + user + ",password=" + password + "]");
        });
        return arguments;
    }

    private static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    private static String randomPassword() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    private static void keytool(Path directory, String... arguments) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(ChildJvm.javaExecutable()).resolveSibling("keytool").toString());
        command.addAll(List.of(arguments));
        try {
            Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                    .start();
            process.getOutputStream().close();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(KEYTOOL_TIMEOUT.toSeconds(), TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new KafkaClusterException("keytool " + arguments[0] + " failed in " + directory + ": "
                        + new String(output, StandardCharsets.UTF_8).strip());
            }
        } catch (IOException e) {
            throw new KafkaClusterException("Could not run keytool from the JDK (" + command.get(0) + "): " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaClusterException("Interrupted while running keytool " + arguments[0], e);
        }
    }
}
