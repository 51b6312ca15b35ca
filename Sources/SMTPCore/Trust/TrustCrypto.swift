// The only place SMTPCore does cryptography, all of it swift-crypto's (BoringSSL underneath): SHA-256, RSA
// signatures with PKCS#1 v1.5 padding over a SHA-256 digest (DKIM's rsa-sha256, RFC 6376 §3.3.1), and Ed25519 over
// the SHA-256 digest (ed25519-sha256, RFC 8463 §3). Nothing here is hand-written cryptography.
import Crypto
import _CryptoExtras
import Synchronization

/// The signing algorithms a DKIM-Signature may name in `a=`.
public enum DKIMAlgorithm: String, Sendable, Equatable, CaseIterable {
    case rsaSHA256 = "rsa-sha256"
    case ed25519SHA256 = "ed25519-sha256"

    /// The key type a key record names in `k=` (RFC 6376 §3.6.1, RFC 8463 §4).
    public var keyType: String { self == .rsaSHA256 ? "rsa" : "ed25519" }
}

/// A private key a signer holds: an RSA key as PEM (PKCS#1 or PKCS#8), or an Ed25519 key as its 32-octet seed.
public struct DKIMPrivateKey: Sendable, Equatable {
    public let algorithm: DKIMAlgorithm
    let material: [UInt8]

    public static func rsa(pem: String) -> DKIMPrivateKey { DKIMPrivateKey(algorithm: .rsaSHA256, material: Array(pem.utf8)) }
    public static func ed25519(seed: [UInt8]) -> DKIMPrivateKey { DKIMPrivateKey(algorithm: .ed25519SHA256, material: seed) }
}

public struct TrustCryptoError: Error, Equatable, CustomStringConvertible {
    public let description: String
}

enum TrustCrypto {
    static func sha256(_ bytes: [UInt8]) -> [UInt8] { Array(SHA256.hash(data: bytes)) }

    /// The signature of `data` (what DKIM's header hash covers): RSA signs the SHA-256 digest with PKCS#1 v1.5
    /// padding; Ed25519 signs the 32 octets of the SHA-256 digest themselves (RFC 8463 §3).
    static func sign(_ data: [UInt8], with key: DKIMPrivateKey) throws -> [UInt8] {
        let digest = SHA256.hash(data: data)
        do {
            switch key.algorithm {
            case .rsaSHA256:
                let rsa = try rsaKey(pem: String(decoding: key.material, as: UTF8.self))
                return Array(try rsa.signature(for: digest, padding: .insecurePKCS1v1_5).rawRepresentation)
            case .ed25519SHA256:
                let ed = try Curve25519.Signing.PrivateKey(rawRepresentation: key.material)
                return Array(try ed.signature(for: Array(digest)))
            }
        } catch {
            throw TrustCryptoError(description: "the \(key.algorithm.rawValue) key cannot sign: \(error)")
        }
    }

    /// True when `signature` is `data`'s under `publicKey`: for RSA a SubjectPublicKeyInfo (DER) of at least 1024
    /// bits, which RFC 8301 §3.2 still requires verifiers to accept; for Ed25519 the 32 raw octets (RFC 8463 §4).
    static func verify(_ signature: [UInt8], of data: [UInt8], algorithm: DKIMAlgorithm, publicKey: [UInt8]) -> Bool {
        let digest = SHA256.hash(data: data)
        switch algorithm {
        case .rsaSHA256:
            guard let key = try? _RSA.Signing.PublicKey(unsafeDERRepresentation: publicKey) else { return false }
            return key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: digest,
                                        padding: .insecurePKCS1v1_5)
        case .ed25519SHA256:
            guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else { return false }
            return key.isValidSignature(signature, for: Array(digest))
        }
    }

    /// Whether `publicKey` is a key of that type at all (a key record whose p= is not one is a permanent error).
    static func isUsable(publicKey: [UInt8], algorithm: DKIMAlgorithm) -> Bool {
        switch algorithm {
        case .rsaSHA256: return (try? _RSA.Signing.PublicKey(unsafeDERRepresentation: publicKey)) != nil
        case .ed25519SHA256: return (try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey)) != nil
        }
    }

    /// The public half of an RSA private key (PEM), as the DER SubjectPublicKeyInfo a key record publishes.
    static func rsaPublicKey(pem: String) throws -> [UInt8] {
        Array(try rsaKey(pem: pem).publicKey.derRepresentation)
    }

    /// Parsing a PEM key checks it (RSA_check_key: big-number arithmetic), which cost more than the signature
    /// itself; the world has one or two keys, so each is parsed once.
    private static let parsedKeys = Mutex<[String: _RSA.Signing.PrivateKey]>([:])

    static func rsaKey(pem: String) throws -> _RSA.Signing.PrivateKey {
        if let key = parsedKeys.withLock({ $0[pem] }) { return key }
        let key = try _RSA.Signing.PrivateKey(pemRepresentation: pem)
        parsedKeys.withLock { $0[pem] = key }
        return key
    }
}
