// The server's TLS identity: the files given with --cert/--key, or a self-signed P-256 certificate for the server
// name, made on first use with swift-certificates and kept under $XDG_DATA_HOME/smtp-tui/ (default
// ~/.local/share/smtp-tui/) so clients that pin it keep working across runs.
// FoundationEssentials, not Foundation: the full Foundation would link ICU's data into the app and cost every
// start of the TUI several megabytes, although only serve uses this file.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Crypto
import X509
import NIOSSL

public enum TLSSetup {
    /// The folder for the generated certificate. Two variables read with getenv(3): ProcessInfo's environment
    /// builds a dictionary of all of them, an eighth of the app's work before its first frame (the app's
    /// settings name this folder even when it never listens).
    public static func dataDirectory(environment: (String) -> String? = { getenv($0).map { String(cString: $0) } }) -> String {
        if let xdg = environment("XDG_DATA_HOME"), xdg.hasPrefix("/") { return xdg + "/smtp-tui" }
        let home = environment("HOME") ?? "/tmp"
        return home + "/.local/share/smtp-tui"
    }

    /// Loads `certPath`/`keyPath` when given, else the generated pair for `serverName` (made now if missing).
    /// Returns the context and the certificate file used, for the log and for clients that want to trust it.
    public static func makeContext(serverName: String, certPath: String?, keyPath: String?,
                                   dataDirectory: String = dataDirectory()) throws -> (NIOSSLContext, certificateFile: String) {
        let cert: String, key: String
        if let certPath, let keyPath {
            cert = certPath; key = keyPath
        } else {
            let safe = serverName.filter { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" }
            cert = dataDirectory + "/\(safe).crt.pem"
            key = dataDirectory + "/\(safe).key.pem"
            if !FileManager.default.fileExists(atPath: cert) || !FileManager.default.fileExists(atPath: key) {
                try generate(serverName: serverName, certPath: cert, keyPath: key)
            }
        }
        let chain = try NIOSSLCertificate.fromPEMFile(cert).map { NIOSSLCertificateSource.certificate($0) }
        let privateKey = try NIOSSLPrivateKey(file: key, format: .pem)
        let configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(privateKey))
        return (try NIOSSLContext(configuration: configuration), cert)
    }

    /// A self-signed certificate for `serverName` (and localhost), valid for ten years.
    public static func generate(serverName: String, certPath: String, keyPath: String) throws {
        let dir = certPath.lastIndex(of: "/").map { String(certPath[..<$0]) } ?? "."
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName {
            OrganizationName("smtp-tui (self-signed, for learning)")
            CommonName(serverName)
        }
        let now = Date()
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: Certificate.PublicKey(key.publicKey),
            notValidBefore: now.addingTimeInterval(-3600),
            notValidAfter: now.addingTimeInterval(3650 * 86_400),
            issuer: name,
            subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames([.dnsName(serverName), .dnsName("localhost")])
            },
            issuerPrivateKey: Certificate.PrivateKey(key))
        // The key first, readable by the owner only; the certificate last, so a half-made pair is regenerated.
        try writeFile(key.pemRepresentation, to: keyPath, mode: 0o600)
        try writeFile(try certificate.serializeAsPEM().pemString, to: certPath, mode: 0o644)
    }

    private static func writeFile(_ text: String, to path: String, mode: Int) throws {
        let tmp = path + ".tmp\(getpid())"
        guard FileManager.default.createFile(atPath: tmp, contents: Data((text + "\n").utf8),
                                             attributes: [.posixPermissions: mode]) else {
            throw MaildirError(description: "cannot write \(tmp)")
        }
        guard rename(tmp, path) == 0 else { throw MaildirError(description: "rename \(tmp): \(errnoText())") }
    }
}
