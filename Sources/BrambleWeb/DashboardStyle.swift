/// The dashboard's style sheet: the rack as a grid of bays, one column per BitBar (one row
/// per BitBar on a narrow screen, so a phone shows six bays across), coloured by stage.
enum DashboardStyle {
    static let text = #"""
        :root {
          --bg: #f4f5f2; --fg: #1d2320; --muted: #5d6661; --card: #ffffff; --line: #d5d9d4;
          --waiting: #c9cdc8; --rom-dhcp: #f2d27a; --addressed: #f0b95e; --firmware: #8fc1e8;
          --loader: #6aa6dc; --kernel: #b49ae0; --kernel-dhcp: #9a7bd6; --up: #5fb878; --bad: #c8342c;
          color-scheme: light;
        }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--bg); color: var(--fg); }
        header { padding: 12px 16px; background: #23302a; color: #f4f5f2; display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 16px; }
        h1 { font-size: 20px; margin: 0; letter-spacing: 0.02em; }
        .summary { margin: 0; font-variant-numeric: tabular-nums; }
        .daemon { margin: 0; padding: 2px 10px; border-radius: 4px; background: var(--bad); color: #fff; font-weight: 600; }
        main { padding: 12px 16px 24px; max-width: 1400px; }
        .rack { display: grid; gap: 6px; grid-template-columns: repeat(var(--bars, 8), minmax(0, 1fr)); grid-template-rows: auto repeat(var(--slots, 6), auto); }
        .bar-label { grid-column: var(--bar); grid-row: 1; font-size: 12px; color: var(--muted); text-align: center; }
        .bay { grid-column: var(--bar); grid-row: calc(var(--slot) + 1); text-align: left; font: inherit; color: inherit; cursor: pointer;
               border: 1px solid var(--line); border-left: 8px solid var(--stage-colour, var(--waiting)); border-radius: 6px;
               background: var(--card); padding: 6px 8px; min-height: 74px; min-width: 0; overflow: hidden; }
        .bay.empty { border: 1px dashed var(--line); background: transparent; color: var(--muted); cursor: default; font-size: 12px; }
        .bay:focus-visible, .bay.selected { outline: 3px solid #23302a; outline-offset: 1px; }
        .bay .name { font-weight: 650; display: flex; justify-content: space-between; gap: 6px; }
        .bay .id { color: var(--muted); font-weight: 400; font-variant-numeric: tabular-nums; }
        .bay .stage { display: inline-block; margin-top: 2px; padding: 0 6px; border-radius: 3px; background: var(--stage-colour, var(--waiting)); font-size: 13px; }
        .bay .time, .bay .readings { font-size: 13px; color: var(--muted); font-variant-numeric: tabular-nums; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
        .bay .error { font-size: 12px; color: var(--bad); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
        .bay.stalled { border-color: var(--bad); box-shadow: 0 0 0 2px var(--bad); animation: stall 1.2s ease-in-out infinite alternate; }
        .bay.stalled .stage::after { content: " stalled"; font-weight: 700; color: var(--bad); }
        @keyframes stall { from { background: #fff; } to { background: #fbe3e1; } }
        @media (prefers-reduced-motion: reduce) { .bay.stalled { animation: none; background: #fbe3e1; } }
        .stage-waiting { --stage-colour: var(--waiting); } .stage-rom-dhcp { --stage-colour: var(--rom-dhcp); }
        .stage-addressed { --stage-colour: var(--addressed); } .stage-firmware { --stage-colour: var(--firmware); }
        .stage-loader { --stage-colour: var(--loader); } .stage-kernel { --stage-colour: var(--kernel); }
        .stage-kernel-dhcp { --stage-colour: var(--kernel-dhcp); } .stage-up { --stage-colour: var(--up); }
        .legend { list-style: none; display: flex; flex-wrap: wrap; gap: 4px 14px; padding: 0; margin: 12px 0 4px; font-size: 13px; }
        .legend li::before { content: ""; display: inline-block; width: 12px; height: 12px; margin-right: 5px; vertical-align: -1px; border-radius: 2px; background: var(--stage-colour); }
        .orientation { font-size: 12px; color: var(--muted); margin: 0 0 12px; }
        .detail { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; }
        .detail-head { display: flex; justify-content: space-between; align-items: center; }
        .detail h2 { font-size: 17px; margin: 0; }
        .detail button { font: inherit; padding: 4px 12px; }
        .facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 8px 0; font-size: 14px; }
        .facts dt { color: var(--muted); } .facts dd { margin: 0; overflow-wrap: anywhere; }
        .timeline { list-style: none; padding: 0; margin: 0; max-height: 50vh; overflow-y: auto; font: 13px/1.5 ui-monospace, "DejaVu Sans Mono", monospace; }
        .timeline li { padding: 1px 0; border-bottom: 1px solid #eef0ed; overflow-wrap: anywhere; }
        .timeline li.failure { color: var(--bad); }
        .timeline time { color: var(--muted); margin-right: 8px; }
        @media (max-width: 720px) {
          header { padding: 10px 12px; } main { padding: 10px 8px 20px; }
          .rack { grid-template-columns: auto repeat(var(--slots, 6), minmax(0, 1fr)); grid-template-rows: none; gap: 4px; }
          .bar-label { grid-column: 1; grid-row: var(--bar); align-self: center; font-size: 11px; } .bar-label .word { display: none; }
          .bay { grid-column: calc(var(--slot) + 1); grid-row: var(--bar); min-height: 58px; padding: 4px 5px; border-left-width: 5px; }
          .bay .name { font-size: 12px; } .bay .label, .bay .time, .bay .readings { display: none; }
          .bay .id { color: var(--fg); font-weight: 650; }
          .bay .stage { font-size: 11px; padding: 0 3px; } .bay .error { display: none; }
          .bay.empty { border-left-width: 1px; font-size: 0; }
        }
        """#
}
