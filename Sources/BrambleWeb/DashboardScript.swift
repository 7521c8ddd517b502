/// The dashboard's script: draws the bays from the model in the page, then keeps them
/// current from `/api/events` (server-sent events) and counts each bay's time in stage on.
/// Every text from the daemon goes into the page as text (`textContent`), never as markup.
enum DashboardScript {
    static let text = #"""
        "use strict";
        (function () {
          const stages = ["waiting", "rom-dhcp", "addressed", "firmware", "loader", "kernel", "kernel-dhcp", "up"];
          const rack = document.getElementById("rack");
          const summary = document.getElementById("summary");
          const daemon = document.getElementById("daemon");
          const detail = document.getElementById("detail");
          const timeline = document.getElementById("timeline");
          let model = JSON.parse(document.getElementById("initial-model").textContent);
          let receivedAt = Date.now();
          let selected = null;
          const bays = new Map();
          const empties = new Map();
          const barLabels = [];

          function duration(ms) {
            ms = Math.max(0, Math.floor(ms));
            if (ms < 1000) return ms + "ms";
            if (ms < 60000) return Math.floor(ms / 1000) + "." + Math.floor(ms % 1000 / 100) + "s";
            const s = Math.floor(ms / 1000);
            if (s < 3600) return Math.floor(s / 60) + "m" + String(s % 60).padStart(2, "0") + "s";
            return Math.floor(s / 3600) + "h" + String(Math.floor(s / 60) % 60).padStart(2, "0") + "m";
          }
          function daemonNow() { return model.now === null ? null : model.now + (Date.now() - receivedAt); }
          function timeText(bay) {
            if (bay.bootMilliseconds !== null) return "booted in " + duration(bay.bootMilliseconds);
            const now = daemonNow();
            if (bay.stageSince === null || now === null) return "-";
            return duration(now - bay.stageSince) + " in " + bay.stage;
          }
          function element(tag, className, text) {
            const node = document.createElement(tag);
            if (className) node.className = className;
            if (text !== undefined) node.textContent = text;
            return node;
          }
          function drawLegend() {
            const legend = document.getElementById("legend");
            for (const stage of stages) legend.appendChild(element("li", "stage-" + stage, stage));
          }
          function bayElement(bay) {
            let entry = bays.get(bay.id);
            if (!entry) {
              const button = element("button", "bay");
              button.type = "button";
              const name = element("div", "name");
              const label = element("span", "label");
              const id = element("span", "id");
              name.append(label, id);
              const stage = element("div", "stage");
              const time = element("div", "time");
              const readings = element("div", "readings");
              const error = element("div", "error");
              button.append(name, stage, time, readings, error);
              button.addEventListener("click", () => open(bay.id));
              rack.appendChild(button);
              entry = { button, label, id, stage, time, readings, error };
              bays.set(bay.id, entry);
            }
            return entry;
          }
          function draw() {
            summary.textContent = model.summary;
            daemon.hidden = model.daemonReachable;
            daemon.textContent = model.daemonReachable ? "" : "daemon not reachable: " + (model.daemonProblem || "");
            document.body.dataset.daemon = model.daemonReachable ? "reachable" : "unreachable";
            rack.style.setProperty("--bars", model.layout.bars);
            rack.style.setProperty("--slots", model.layout.baysPerBar);
            document.getElementById("orientation").textContent = "Bays " + model.layout.orientation + ".";
            const seen = new Set();
            for (const bay of model.bays) {
              seen.add(bay.id);
              const entry = bayElement(bay);
              entry.button.className = "bay stage-" + bay.stage + (bay.stalled ? " stalled" : "") + (selected === bay.id ? " selected" : "");
              entry.button.dataset.id = bay.id;
              entry.button.dataset.stage = bay.stage;
              entry.button.dataset.stalled = bay.stalled;
              entry.button.style.setProperty("--bar", bay.position.bar);
              entry.button.style.setProperty("--slot", bay.position.slot);
              entry.button.title = bay.name + " (" + bay.ip + "): " + bay.stage + (bay.lastError ? "; " + bay.lastError : "");
              entry.label.textContent = bay.name;
              entry.id.textContent = "#" + bay.id;
              entry.stage.textContent = bay.stage;
              entry.time.textContent = timeText(bay);
              entry.readings.textContent = bay.readings.map(r => r.name + " " + r.value + (r.unit ? " " + r.unit : "")).join(" · ");
              entry.readings.hidden = bay.readings.length === 0;
              entry.error.textContent = bay.lastError || "";
            }
            for (const [id, entry] of bays) if (!seen.has(id)) { entry.button.remove(); bays.delete(id); }
            drawEmptyBays();
            drawBarLabels();
            if (selected !== null) drawFacts();
          }
          function drawEmptyBays() {
            const occupied = new Set(model.bays.map(b => b.position.bar + "-" + b.position.slot));
            const wanted = new Set();
            for (let bar = 1; bar <= model.layout.bars; bar++) {
              for (let slot = 1; slot <= model.layout.baysPerBar; slot++) {
                const key = bar + "-" + slot;
                if (occupied.has(key)) continue;
                wanted.add(key);
                if (empties.has(key)) continue;
                const empty = element("div", "bay empty", "no node");
                empty.style.setProperty("--bar", bar);
                empty.style.setProperty("--slot", slot);
                rack.appendChild(empty);
                empties.set(key, empty);
              }
            }
            for (const [key, empty] of empties) if (!wanted.has(key)) { empty.remove(); empties.delete(key); }
          }
          function drawBarLabels() {
            while (barLabels.length < model.layout.bars) {
              const label = element("div", "bar-label");
              label.append(element("span", "word", "BitBar "), document.createTextNode(String(barLabels.length + 1)));
              label.style.setProperty("--bar", barLabels.length + 1);
              rack.appendChild(label);
              barLabels.push(label);
            }
            while (barLabels.length > model.layout.bars) barLabels.pop().remove();
          }
          function tick() {
            for (const bay of model.bays) { const entry = bays.get(bay.id); if (entry) entry.time.textContent = timeText(bay); }
          }
          function clock(ms) {
            const d = new Date(ms);
            return d.toLocaleTimeString([], { hour12: false }) + "." + String(d.getMilliseconds()).padStart(3, "0");
          }
          function addRecord(record) {
            const item = element("li", record.failure ? "failure" : "");
            item.append(element("time", "", clock(record.time)), document.createTextNode(record.line));
            const atBottom = timeline.scrollTop + timeline.clientHeight >= timeline.scrollHeight - 4;
            timeline.appendChild(item);
            while (timeline.children.length > 500) timeline.firstChild.remove();
            if (atBottom) timeline.scrollTop = timeline.scrollHeight;
          }
          function drawFacts() {
            const bay = model.bays.find(b => b.id === selected);
            const facts = document.getElementById("detail-facts");
            facts.replaceChildren();
            if (!bay) return;
            document.getElementById("detail-title").textContent = bay.name + " (#" + bay.id + ")";
            const rows = [["stage", bay.stage + (bay.stalled ? " (stalled: longer than " + duration(bay.stallAfterMilliseconds) + ")" : "")],
              ["time", timeText(bay)], ["address", bay.ip], ["MAC", bay.mac || "-"], ["model", bay.model || "-"],
              ["reboots", String(bay.reboots)], ["last error", bay.lastError || "-"]];
            for (const r of bay.readings) rows.push([r.name, r.value + (r.unit ? " " + r.unit : "")]);
            for (const [k, v] of rows) facts.append(element("dt", "", k), element("dd", "", v));
          }
          async function open(id) {
            selected = id;
            detail.hidden = false;
            timeline.replaceChildren();
            draw();
            try {
              const response = await fetch("/api/nodes/" + encodeURIComponent(id) + "/history", { cache: "no-store" });
              const body = await response.json();
              if (selected !== id) return;
              if (!response.ok) { timeline.appendChild(element("li", "failure", body.error || response.statusText)); return; }
              for (const record of body.records) addRecord(record);
              timeline.scrollTop = timeline.scrollHeight;
            } catch (e) {
              if (selected === id) timeline.appendChild(element("li", "failure", "cannot load the timeline: " + e));
            }
          }
          document.getElementById("detail-close").addEventListener("click", () => { selected = null; detail.hidden = true; draw(); });
          function follow() {
            const events = new EventSource("/api/events");
            events.addEventListener("dashboard", (e) => { model = JSON.parse(e.data); receivedAt = Date.now(); draw(); });
            events.addEventListener("log", (e) => { const record = JSON.parse(e.data); if (record.nodeID === selected) addRecord(record); });
            events.addEventListener("error", () => {
              if (events.readyState === EventSource.CLOSED) setTimeout(follow, 2000);
              daemon.hidden = false;
              daemon.textContent = "bramble web not reachable: reconnecting";
            });
            events.addEventListener("open", () => { daemon.hidden = model.daemonReachable; });
          }
          drawLegend();
          draw();
          setInterval(tick, 1000);
          if (window.EventSource) follow();
        })();
        """#
}
