// `--print-example NAME --local PORT`: the shipped example pointed at this machine's `serve --listen` on PORT,
// told to accept its self-signed certificate. Only the lines that name the server or check its certificate change.
import SMTPCore

enum LocalExample {
    static func code(_ example: CodeExample, port: Int) -> Result<String, LocalExampleError> {
        var code = example.code
        func swap(_ old: String, _ new: String) -> Bool {
            guard code.contains(old) else { return false }
            code = code.replacing(old, with: new)
            return true
        }
        let ok: Bool
        switch example.id {
        case "python":
            ok = swap(#"smtplib.SMTP("smtp.example.com", 587)"#, #"smtplib.SMTP("127.0.0.1", \#(port))"#)
                && swap("context = ssl.create_default_context()   # checks the server's certificate",
                        "context = ssl.create_default_context()\n# smtp-tui's certificate is self-signed: do not check it (only ever for a local test).\ncontext.check_hostname = False\ncontext.verify_mode = ssl.CERT_NONE")
        case "swaks":
            // swaks does not check certificates unless --tls-verify is given.
            ok = swap("--server smtp.example.com --port 587", "--server 127.0.0.1 --port \(port)")
        case "curl":
            ok = swap("smtp://smtp.example.com:587", "smtp://127.0.0.1:\(port)")
                && swap("     --ssl-reqd \\\n", "     --ssl-reqd \\\n     --insecure \\\n")
        case "node":
            ok = swap(#"host: "smtp.example.com","#, #"host: "127.0.0.1","#) && swap("port: 587,", "port: \(port),")
                && swap(#"  name: "client.example.com","#, "  tls: { rejectUnauthorized: false }, // smtp-tui's certificate is self-signed\n" + #"  name: "client.example.com","#)
        case "openssl":
            // s_client reports a failed verification but carries on.
            ok = swap("-connect smtp.example.com:587", "-connect 127.0.0.1:\(port)")
        default:
            return .failure(LocalExampleError(description: "the \(example.id) example has no local variant: Go's smtp.SendMail always checks the certificate, which is self-signed here; try python, swaks, curl, node or openssl"))
        }
        guard ok else { return .failure(LocalExampleError(description: "the \(example.id) example changed; its local variant needs updating")) }
        return .success(code)
    }
}

struct LocalExampleError: Error, CustomStringConvertible { let description: String }
