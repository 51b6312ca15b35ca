// The world's DKIM key: a fixed RSA key pair, so every story signs the same way every time. It is a TEST key and
// it is PUBLIC: the private half below ships with smtp-tui and anyone can sign as example.com with it. Use it for
// teaching only, never for real mail. (Made once with `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048`.)

extension World {
    /// The private key, PKCS#8 PEM. PUBLIC, for teaching only.
    public static let testSigningKeyPEM = """
-----BEGIN PRIVATE KEY-----
MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQDNL43sZN94VlF2
pVDBDAaByFscMHLSgul4lDTTGAwEv8ncPsblnMPWUgU+7A2qz80oJVaZjGvTLPVh
uV/Q5KPB+c5K31rFX5PN+Pr+JozyGgBn8Bq/CtQ4H2rIyXeDpYk5ngOioQmVb2An
PRmolNNqSXNZyVeKwIj1re343C594e0Irw3b5T+c9DsAHjO2XNy64M9IEv133gvx
wDrKLSPixyYusI0O9x3vMQVp/menWOrFFQnm8WLtXRqkUtrSrsSONA3OdwYMoMVe
1lOfeapMiSZ8VMVkAa30jNdPaJD4UKRoxamfNAsIEzZNyx6arGlo3nNsZ+Wxe9Qh
4y+Kgjm/AgMBAAECggEAWMhiYy7UqUfEUQ/ALP/sktykW8K09FSz/Do4zzxg+u8X
w8agHntiG8r6vRq74TSwQ1ZArgkeIM6b0LC6/nLoTscuFaSmrK+qD15UEIOSyjEp
CtBQamifojcp5/6QybRnd7hhP03qDTCXjPL5tsHK5vsoP+oIiJ+9w3yCc4OmVE4W
nJ1BA62d1yBQx2/AJxhXkhbIewcczy1Av8e220b0vq+hNyHjPpkXTmpB4aA7zaIo
NvtStcs5uqu8+JpEEP5eIxqo0QzNaf+ODWEllz1eJ7dgY/V9AILFWGqKiu1H6CdL
NuWuG0RXI0zu1bwf8Rdtqcy/JZC+yZAURUepHdN5TQKBgQD0DBgMsMRa8ie7uct9
lACZ44sm+5PE+zwQoRQL9lPlxteeTIdjJaGbsWFn4muXn3dfZYaU3PbcsLhWw+R4
uDIsxCZnbm7Hq72cUfHI4Wfcm3T7+QFq8hEJI7pDCwV8eXMTrv2hNpXtuKRK+dlC
HZIb2ZpZY9tn4ZhiHTVm831MhQKBgQDXPDViLfrjC2bVcgC5/9o7C+Pa3TQ1E4mV
1ey6nrIhX32DXy2yWaJe3LyYlokiu9iy4ZuPGufrFJ/kusLrrDFR1a7FRlIO4Ide
CK34bcKsTWnx/0oClYLC4DvT5ybRXxmfYoIQf3QS55s1GGrMQCd0MPAASKw6srnc
fInwv9GScwKBgDdauuW9/numa27AILDWLiC5pOltrMHEPoaDErn34GXA6U1FjHvn
oDVhUXevurnEeN4ReCoxyGicSOOdQShEl1TiFNfnC4eMo9BeIdpvjhBSzoEMpM6u
I0EQcoIccN0f6wMu8OZtLCqkc9dxvl6puGdKvyDBbpWsbNTsTR2R4vzFAoGAXX51
4fP/K2jkfotK7YDKFyQPEh9MclHOThvi/R26WuzT5KEPhI2TDonsEowxfbkDZJDD
teIGJAONgRnvWdguhFHB3UeylWvK4Xn7uBJVoeruvoQabgzsBCLLWjzqi8A3rRhp
TylODng031d/7MFhYgNv/W+UANtqCPDAKqfoLSkCgYAKMp5BrkZQvzXFBAalRdvn
x4XtSNlxFToe0Y5ovovcTMKvqjv8vVmiRth8LnxrbAO+JbzQUFiE0piOnN2VSCv1
47uDgcxA9pcLkUCe6IjzlSEk/HUQVNegiDmKzvcJIamSrxueTLZXyZYeGIv9zwzF
C5UiRkReimqc0R0E78g8/g==
-----END PRIVATE KEY-----
"""

    /// Its public half (DER SubjectPublicKeyInfo, base64): what example.com publishes at rsa2026._domainkey.
    public static let testPublicKeyBase64 = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAzS+N7GTfeFZRdqVQwQwGgchbHDBy0oLpeJQ00xgMBL/J3D7G5ZzD1lIFPuwNqs/NKCVWmYxr0yz1Yblf0OSjwfnOSt9axV+Tzfj6/iaM8hoAZ/AavwrUOB9qyMl3g6WJOZ4DoqEJlW9gJz0ZqJTTaklzWclXisCI9a3t+NwufeHtCK8N2+U/nPQ7AB4ztlzcuuDPSBL9d94L8cA6yi0j4scmLrCNDvcd7zEFaf5np1jqxRUJ5vFi7V0apFLa0q7EjjQNzncGDKDFXtZTn3mqTIkmfFTFZAGt9IzXT2iQ+FCkaMWpnzQLCBM2TcsemqxpaN5zbGflsXvUIeMvioI5vwIDAQAB"

    /// smtp.example.com's signer: relaxed/relaxed rsa-sha256, d=example.com, s=rsa2026 (RFC 6376, RFC 8301 §3.2).
    public static let exampleComSigner = DKIMSigner(domain: "example.com", selector: "rsa2026", key: .rsa(pem: testSigningKeyPEM))
}
