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
            ok = swap("smtp://smtp.example.com:587/", "smtp://127.0.0.1:\(port)/")
                && swap("     --ssl-reqd \\\n", "     --ssl-reqd \\\n     --insecure \\\n")
        case "node":
            ok = swap(#"host: "smtp.example.com","#, #"host: "127.0.0.1","#) && swap("port: 587,", "port: \(port),")
                && swap(#"  name: "client.example.com","#, "  tls: { rejectUnauthorized: false }, // smtp-tui's certificate is self-signed\n" + #"  name: "client.example.com","#)
        case "openssl":
            // s_client reports a failed verification but carries on.
            ok = swap("-connect smtp.example.com:587", "-connect 127.0.0.1:\(port)")
        case "go":
            // smtp.SendMail always checks the certificate, so the local variant takes SendMail's steps one by one
            // with smtp.Dial, where the TLS settings can be given.
            ok = swap("import (\n\t\"log\"", "import (\n\t\"crypto/tls\"\n\t\"log\"")
                && swap("\t// SendMail does STARTTLS by itself when the server offers it.\n",
                        "\t// SendMail's steps one by one below, to accept smtp-tui's self-signed certificate.\n")
                && swap(#"smtp.PlainAuth("", "alice@example.com", "wonderland", "smtp.example.com")"#,
                        #"smtp.PlainAuth("", "alice@example.com", "wonderland", "127.0.0.1")"#)
                && swap("""
                    \terr := smtp.SendMail("smtp.example.com:587", auth,
                    \t\t"alice@example.com", []string{"bob@domain.com"}, []byte(msg))
                    \tif err != nil {
                    """, Self.goSteps(port: port))
        default:
            return .failure(LocalExampleError(description: "the \(example.id) example has no local variant; try python, swaks, curl, node, go or openssl"))
        }
        guard ok else { return .failure(LocalExampleError(description: "the \(example.id) example changed; its local variant needs updating")) }
        return .success(code)
    }
}

extension LocalExample {
    /// SendMail's session, step by step, with the self-signed certificate accepted.
    static func goSteps(port: Int) -> String {
        """
        \tc, err := smtp.Dial("127.0.0.1:\(port)")
        \tif err == nil {
        \t\terr = c.Hello("client.example.com")
        \t}
        \tif err == nil {
        \t\t// smtp-tui's certificate is self-signed: do not check it (only ever for a local test).
        \t\terr = c.StartTLS(&tls.Config{InsecureSkipVerify: true})
        \t}
        \tif err == nil {
        \t\terr = c.Auth(auth)
        \t}
        \tif err == nil {
        \t\terr = c.Mail("alice@example.com")
        \t}
        \tif err == nil {
        \t\terr = c.Rcpt("bob@domain.com")
        \t}
        \tif err == nil {
        \t\tw, e := c.Data()
        \t\tif e == nil {
        \t\t\t_, e = w.Write([]byte(msg))
        \t\t}
        \t\tif e == nil {
        \t\t\te = w.Close() // the final dot; the server's 250 comes back here
        \t\t}
        \t\terr = e
        \t}
        \tif err == nil {
        \t\terr = c.Quit()
        \t}
        \tif err != nil {
        """
    }
}

struct LocalExampleError: Error, CustomStringConvertible { let description: String }
