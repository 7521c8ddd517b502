import BrambleWebCore
import FoundationEssentials

/// The dashboard's one HTML page. The model at the time of the request is in the page as a
/// JSON data block (not a script: the content security policy allows only /dashboard.js),
/// so the bays are drawn before any request of the script's own, and a browser that prints
/// the page as loaded (`chromium --dump-dom`) sees the module as it was.
enum DashboardPage {
    static func render(model: DashboardModel) -> String {
        """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>bramble: the module</title>
        <link rel="stylesheet" href="/dashboard.css">
        </head>
        <body>
        <header>
        <h1>bramble</h1>
        <p id="summary" class="summary" aria-live="polite"></p>
        <p id="daemon" class="daemon" role="alert" hidden>daemon not reachable</p>
        </header>
        <main>
        <section id="rack" class="rack" aria-label="the bays of the module"></section>
        <ul id="legend" class="legend" aria-label="stages"></ul>
        <p id="orientation" class="orientation"></p>
        <section id="detail" class="detail" hidden aria-live="polite">
        <div class="detail-head"><h2 id="detail-title"></h2><button id="detail-close" type="button" aria-label="close the timeline">close</button></div>
        <dl id="detail-facts" class="facts"></dl>
        <ol id="timeline" class="timeline"></ol>
        </section>
        </main>
        <script id="initial-model" type="application/json">\(embeddedJSON(model))</script>
        <script src="/dashboard.js"></script>
        </body>
        </html>

        """
    }

    /// The model as JSON that cannot end the script element around it: every `<` (only
    /// found inside strings) written as `\\u003c`, which JSON reads back as `<`.
    static func embeddedJSON(_ model: DashboardModel) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = (try? encoder.encode(model)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
        return json.replacing("<", with: "\\u003c")
    }
}
