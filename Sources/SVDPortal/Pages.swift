import Foundation
import SVDPublish

/// Server-rendered pages: one inline style sheet, no scripts, nothing fetched from elsewhere. Every value that
/// came from a user, a file or the database goes through `esc`.
enum Pages {
    static func esc(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    static let style = """
        body{font-family:system-ui,sans-serif;margin:0;color:#1b1b1b;background:#fafafa}
        header{background:#1d3557;color:#fff;padding:.6rem 1.2rem;display:flex;gap:1.2rem;align-items:center;flex-wrap:wrap}
        header a{color:#fff}header form{margin:0 0 0 auto}main{padding:1rem 1.2rem;max-width:72rem}
        table{border-collapse:collapse;margin:.6rem 0;font-size:.92rem}th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
        th{background:#eef}td.n{text-align:right;font-variant-numeric:tabular-nums}.note{color:#555}.bad{color:#a00}
        label{display:block;margin:.5rem 0 .15rem}input,select{font-size:1rem}button{font-size:1rem;padding:.25rem .8rem}
        code{background:#eee;padding:0 .2rem}
        """

    static func layout(_ title: String, session: Session?, _ body: String) -> String {
        var nav = ""
        if let s = session {
            let a = s.account
            var links = ["<a href=\"/\">Home</a>"]
            if a.role != .csp { links.append("<a href=\"/uploads\">Uploads</a>") }
            if a.role != .partner { links.append("<a href=\"/packs\">Packs</a>") }
            if a.role == .analyst { links += ["<a href=\"/accounts\">Accounts</a>", "<a href=\"/audit\">Audit log</a>"] }
            nav = links.joined(separator: " ") + """
                 <span>\(esc(a.username)) (\(esc(roleLabel(a))))</span>
                <form method="post" action="/logout">\(csrfField(s))<button>Sign out</button></form>
                """
        }
        return """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(esc(title)) · svd portal</title><style>\(style)</style></head><body>
            <header><strong>svd portal</strong> \(nav)</header><main><h1>\(esc(title))</h1>
            \(body)</main></body></html>
            """
    }

    static func csrfField(_ s: Session) -> String { "<input type=\"hidden\" name=\"csrf\" value=\"\(esc(s.csrf))\">" }

    static func roleLabel(_ a: Account) -> String {
        switch a.role {
        case .analyst: "VRU analyst"
        case .partner: "partner: \(a.partner ?? "")"
        case .csp: "CSP \(a.district ?? ""), \(a.cspTier.rawValue) tier"
        }
    }

    static func login(csrf: String, message: String?) -> String {
        layout("Sign in", session: nil, """
            \(message.map { "<p class=\"bad\">\(esc($0))</p>" } ?? "")
            <form method="post" action="/login">
            <input type="hidden" name="csrf" value="\(esc(csrf))">
            <label for="u">User name</label><input id="u" name="username" autocomplete="username" required maxlength="64">
            <label for="p">Password</label><input id="p" name="password" type="password" autocomplete="current-password" required maxlength="200">
            <p><button>Sign in</button></p></form>
            <p class="note">Data under the Information Sharing Agreement: every page you view and file you download is recorded.</p>
            """)
    }

    static func refusal(status: Int, _ message: String, session: Session?) -> String {
        let title = switch status {
        case 401: "Sign in first"
        case 403: "Not allowed"
        case 404: "Not found"
        case 413: "Upload too large"
        case 429: "Too many attempts"
        default: "Cannot do that"
        }
        let link = status == 401 ? "<p><a href=\"/login\">Sign in</a></p>" : "<p><a href=\"/\">Home</a></p>"
        return layout(title, session: session, "<p>\(esc(message))</p>\(link)")
    }

    static func home(_ s: Session) -> String {
        let a = s.account
        let what: String = switch a.role {
        case .analyst: """
            <ul><li><a href="/uploads">Uploads</a>: every partner's extracts and their reject ledgers; <a href="/uploads/new">upload an extract</a>.</li>
            <li><a href="/packs">Packs</a>: publish every district's pack from the uploads in force, and read them in either tier.</li>
            <li><a href="/accounts">Accounts</a>: grant a CSP the partner tier. <a href="/audit">Audit log</a>: who saw what (<a href="/audit.csv">export</a>).</li></ul>
            """
        case .partner: """
            <ul><li><a href="/uploads/new">Upload an extract</a> for \(esc(a.partner ?? "")).</li>
            <li><a href="/uploads">Your uploads</a>, each with its reject ledger (every row not accepted, with its line and reason).</li></ul>
            """
        case .csp: """
            <ul><li><a href="/packs/\(esc(a.district ?? ""))">Your district's pack</a> (\(esc(a.cspTier.rawValue)) tier): the needs assessment for
            \(esc(a.district ?? "")) against the area, with its hotspots, as the VRU published it.</li></ul>
            """
        }
        return layout("Signed in as \(a.username)", session: s, what)
    }

    static func uploads(_ s: Session, _ list: [UploadRecord]) -> String {
        var rows = ""
        for u in list {
            rows += """
                <tr><td class="n"><a href="/uploads/\(u.id)">\(u.id)</a></td><td>\(esc(u.uploadedAt))</td><td>\(esc(u.partner))</td>
                <td>\(esc(u.uploadedBy))</td><td>\(esc(u.filename))</td><td>\(esc(u.mapping))</td><td>\(esc(u.source ?? "–"))</td>
                <td class="n">\(u.rowsRead)</td><td class="n">\(u.rowsAccepted)</td><td class="n">\(u.rowsRejected)</td>
                <td>\(esc(u.status))\(u.withdrawn ? " (withdrawn)" : "")</td></tr>
                """
        }
        let table = list.isEmpty ? "<p>No uploads yet.</p>" : """
            <table><tr><th>#</th><th>Uploaded (UTC)</th><th>Partner</th><th>By</th><th>File</th><th>Mapping</th><th>Source</th>
            <th>Rows read</th><th>Accepted</th><th>Rejected</th><th>Status</th></tr>\(rows)</table>
            """
        return layout("Uploads", session: s, "<p><a href=\"/uploads/new\">Upload an extract</a></p>\(table)")
    }

    static func uploadForm(_ s: Session, maxBytes: Int) -> String {
        let options = UploadMapping.allCases.map { "<option value=\"\($0.rawValue)\">\(esc($0.label))</option>" }.joined()
        let partner = s.account.role == .analyst
            ? "<label for=\"pa\">Partner (whose data this is)</label><input id=\"pa\" name=\"partner\" maxlength=\"120\" value=\"VRU\">"
            : "<p>Partner: <strong>\(esc(s.account.partner ?? ""))</strong></p>"
        return layout("Upload an extract", session: s, """
            <form method="post" action="/uploads" enctype="multipart/form-data">\(csrfField(s))
            \(partner)
            <label for="m">Layout</label><select id="m" name="mapping">\(options)</select>
            <label for="so">Source (optional: else the file's or the mapping's own, e.g. police, A&amp;E, ambulance)</label>
            <input id="so" name="source" maxlength="60">
            <label for="f">CSV file (at most \(maxBytes / (1 << 20)) MiB)</label><input id="f" name="file" type="file" accept=".csv,text/csv" required>
            <p><button>Upload</button></p></form>
            <p class="note">Every row is read by the same ingest as <code>svd assess</code>: accepted, or rejected to the ledger with its line and reason.</p>
            """)
    }

    static func upload(_ s: Session, _ u: UploadRecord, rejects: [RejectRow], shown: Int) -> String {
        var ledger = ""
        for r in rejects.prefix(shown) {
            ledger += "<tr><td class=\"n\">\(r.line)</td><td>\(esc(r.reason))</td><td>\(esc(r.detail))</td><td><code>\(esc(r.record))</code></td></tr>"
        }
        let ledgerHTML = rejects.isEmpty ? "<p>No row was rejected.</p>" : """
            <p>\(rejects.count) rejected row\(rejects.count == 1 ? "" : "s")\(rejects.count > shown ? " (the first \(shown) shown)" : ""):
            <a href="/uploads/\(u.id)/rejects.csv">download the ledger (CSV)</a>. OFFICIAL-SENSITIVE: the records are the partner's data.</p>
            <table><tr><th>Line</th><th>Reason</th><th>Detail</th><th>Record (start)</th></tr>\(ledger)</table>
            """
        return layout("Upload \(u.id): \(u.filename)", session: s, """
            <table><tr><th>Partner</th><td>\(esc(u.partner))</td></tr><tr><th>Uploaded by</th><td>\(esc(u.uploadedBy)) at \(esc(u.uploadedAt)) UTC</td></tr>
            <tr><th>Layout</th><td>\(esc(u.mapping))</td></tr><tr><th>Source</th><td>\(esc(u.source ?? "–"))</td></tr>
            <tr><th>Bytes</th><td class="n">\(u.bytes)</td></tr><tr><th>Rows read</th><td class="n">\(u.rowsRead)</td></tr>
            <tr><th>Accepted</th><td class="n">\(u.rowsAccepted)</td></tr><tr><th>Rejected</th><td class="n">\(u.rowsRejected)</td></tr>
            <tr><th>Status</th><td>\(esc(u.status))\(u.withdrawn ? ", withdrawn under the ISA (file and incidents deleted)" : "")\(u.error.map { ": <span class=\"bad\">\(esc($0))</span>" } ?? "")</td></tr></table>
            \(withdrawForm(s, u))<h2>Reject ledger</h2>\(ledgerHTML)
            """)
    }

    /// The analyst's withdrawal under the ISA, on an upload still in force.
    static func withdrawForm(_ s: Session, _ u: UploadRecord) -> String {
        guard s.account.role == .analyst, !u.withdrawn else { return "" }
        return """
            <form method="post" action="/uploads/\(u.id)/withdraw">\(csrfField(s))<button>Withdraw this upload</button>
            <span class="note">Deletes its file and incidents and rebuilds every pack made from it; audited.</span></form>
            """
    }

    static func packs(_ s: Session, _ list: [PackPublisher.PackInfo], message: String? = nil) -> String {
        var rows = ""
        for p in list {
            let q = s.account.role == .analyst ? "?tier=\(p.tier)" : ""
            rows += """
                <tr><td>\(esc(p.district))</td><td><a href="/packs/\(esc(p.district))\(q)">\(esc(p.name))</a></td><td>\(esc(p.tier))</td>
                <td>\(esc(p.period))</td><td>\(esc(p.publishedAt))</td><td><a href="/packs/\(esc(p.district))/download\(q)">download</a>\(
                    p.tier == "partner" ? " · <a href=\"/packs/\(esc(p.district))/workbook.xlsx\(q)\">workbook (xlsx)</a>" : "")</td></tr>
                """
        }
        let table = list.isEmpty ? "<p>No pack has been published yet.</p>" : """
            <table><tr><th>Code</th><th>District</th><th>Tier</th><th>Period</th><th>Published (UTC)</th><th></th></tr>\(rows)</table>
            """
        let publish = s.account.role != .analyst ? "" : """
            <form method="post" action="/publish">\(csrfField(s))<button>Publish every district's pack from the uploads in force</button></form>
            <p class="note">One pass of the engine over the accepted uploads, then <code>svd report --district</code> for each district in the public and
            partner tiers. A CSP sees its own district's pack in the tier it is granted.</p>
            """
        return layout("Packs", session: s, (message.map { "<p>\(esc($0))</p>" } ?? "") + publish + table)
    }

    static func accounts(_ s: Session, _ list: [Account]) -> String {
        var rows = ""
        for a in list {
            var grant = ""
            if a.role == .csp {
                let other: DisclosureTier = a.cspTier == .public ? .partner : .public
                grant = """
                    <form method="post" action="/accounts/\(a.id)/tier">\(csrfField(s))<input type="hidden" name="tier" value="\(other.rawValue)">
                    <button>Grant \(other.rawValue) tier</button></form>
                    """
            }
            rows += "<tr><td>\(esc(a.username))</td><td>\(esc(a.role.rawValue))</td><td>\(esc(a.partner ?? a.district ?? ""))</td><td>\(a.role == .csp ? esc(a.cspTier.rawValue) : "")</td><td>\(grant)</td></tr>"
        }
        return layout("Accounts", session: s, """
            <p class="note">Accounts are made with <code>svd serve add-user</code>. A CSP sees the public tier unless granted the partner tier here.</p>
            <table><tr><th>User</th><th>Role</th><th>Partner / district</th><th>CSP tier</th><th></th></tr>\(rows)</table>
            """)
    }

    static func audit(_ s: Session, _ entries: [Audit.Entry]) -> String {
        var rows = ""
        for e in entries {
            rows += "<tr><td class=\"n\">\(e.id)</td><td>\(esc(e.at))</td><td>\(esc(e.username ?? "–"))</td><td>\(esc(e.action))</td><td>\(esc(e.target ?? ""))</td><td>\(esc(e.remote ?? ""))</td><td>\(esc(e.detail ?? ""))</td></tr>"
        }
        return layout("Audit log", session: s, """
            <p><a href="/audit.csv">Export the whole log (CSV)</a>. The latest \(entries.count) entries, newest first; the table takes no updates or deletes.</p>
            <table><tr><th>#</th><th>At (UTC)</th><th>User</th><th>Action</th><th>What</th><th>From</th><th>Detail</th></tr>\(rows)</table>
            """)
    }

    /// A CSV cell: quoted, and a leading = + - @ neutralised so a spreadsheet never runs it as a formula.
    static func csvCell(_ s: String) -> String {
        var v = s
        if let f = v.first, "=+-@\t\r".contains(f) { v = "'" + v }
        return "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
