// beamlab widget front-end (sequence); built from widgets/js/src by widgets/js/build.mjs — do not edit.
var q=`.beamlab-w { font: 12px/1.4 var(--jp-ui-font-family, system-ui, sans-serif); color: var(--jp-ui-font-color1, #222); }
.beamlab-w .bl-top { display: flex; gap: 12px; align-items: baseline; margin-bottom: 4px; flex-wrap: wrap; }
.beamlab-w .bl-title { font-weight: 600; }
.beamlab-w .bl-legend span { display: inline-block; margin-right: 8px; }
.beamlab-w .bl-swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 3px; vertical-align: -1px; border: 1px solid #999; }
.beamlab-w { min-width: 0; max-width: 100%; box-sizing: border-box; }
.beamlab-w .bl-body { display: flex; flex-wrap: wrap; gap: 10px; align-items: flex-start; }
.beamlab-w .bl-canvas { flex: 1 1 320px; min-width: 0; max-width: 100%; overflow: auto; max-height: 640px; }
.beamlab-w .bl-canvas svg { display: block; max-width: 100%; height: auto; }
.beamlab-gone-box .bqplot { filter: grayscale(1); opacity: .5; pointer-events: none; }
.beamlab-w.bl-gone .bl-canvas, .beamlab-w.bl-gone .bl-inspector, .beamlab-w.bl-gone .bl-legend, .beamlab-w.bl-gone .bl-pager { filter: grayscale(1); opacity: .5; pointer-events: none; }
.beamlab-w .bl-gone-banner { display: none; }
.beamlab-w.bl-gone .bl-gone-banner { display: block; padding: 3px 6px; margin: 4px 0; border-radius: 3px; background: #eceff1; border: 1px solid #90a4ae; color: #37474f; font-weight: 600; }
.beamlab-w .bl-canvas g.node { cursor: pointer; }
.beamlab-w .bl-canvas g.node.bl-selected { filter: drop-shadow(0 0 3px #1565c0) drop-shadow(0 0 2px #1565c0); }
.beamlab-w .bl-inspector { flex: 0 1 300px; min-width: 220px; max-width: 100%; box-sizing: border-box; max-height: 640px; overflow: auto; border-left: 1px solid #ddd; padding-left: 8px; }
.beamlab-w .bl-insp-title { font-weight: 600; margin-bottom: 4px; }
.beamlab-w .bl-fields th { text-align: left; padding-right: 6px; font-weight: 500; color: #555; vertical-align: top; }
.beamlab-w .bl-fields td { word-break: break-all; }
.beamlab-w .bl-pre { margin: 0; white-space: pre-wrap; word-break: break-all; max-height: 160px; overflow: auto; background: rgba(0,0,0,.04); padding: 2px 4px; }
.beamlab-w .bl-list { margin: 0; padding-left: 18px; max-height: 140px; overflow: auto; }
.beamlab-w .bl-empty, .beamlab-w .bl-hint { color: #777; }
.beamlab-w .bl-section summary { cursor: pointer; color: #444; }
.beamlab-w .bl-actions { display: flex; flex-wrap: wrap; gap: 4px; margin-top: 6px; }
.beamlab-w .bl-btn { cursor: pointer; border: 1px solid #999; border-radius: 3px; background: #fafafa; padding: 2px 6px; font: inherit; }
.beamlab-w .bl-btn:hover { background: #eee; }
.beamlab-w .bl-btn-kill { border-color: #c62828; color: #b71c1c; }
.beamlab-w .bl-reason { width: 110px; font: inherit; }
.beamlab-w .bl-message { padding: 4px 6px; border-radius: 3px; background: #e3f2fd; margin-bottom: 4px; }
.beamlab-w .bl-message.bl-gone { background: #fff3e0; border: 1px solid #ef6c00; }
.beamlab-w .bl-notice { padding: 3px 6px; border-radius: 3px; margin: 4px 0; }
.beamlab-w .bl-time { color: #777; font-variant-numeric: tabular-nums; }
.beamlab-w .bl-events summary { cursor: pointer; color: #666; }
.beamlab-w .bl-event-error { color: #b71c1c; }
.beamlab-w .bl-notice-info { background: #e8f5e9; }
.beamlab-w .bl-notice-warning { background: #fff3e0; }
.beamlab-w .bl-notice-error { background: #ffebee; }
.beamlab-w .bl-status { color: #666; }
.beamlab-w table.bl-table { border-collapse: collapse; width: 100%; }
.beamlab-w table.bl-table th { cursor: pointer; text-align: left; border-bottom: 1px solid #bbb; padding: 2px 6px; user-select: none; white-space: nowrap; }
.beamlab-w table.bl-table td { padding: 1px 6px; border-bottom: 1px solid #eee; white-space: nowrap; max-width: 220px; overflow: hidden; text-overflow: ellipsis; }
.beamlab-observer .bl-canvas { flex: 1 1 760px; }
.beamlab-observer .bl-inspector { flex: 1 1 300px; }
.beamlab-w table.bl-table tr.bl-row { cursor: pointer; }
.beamlab-w table.bl-table tr.bl-row:hover { background: rgba(21,101,192,.06); }
.beamlab-w table.bl-table tr.bl-row.bl-selected { background: rgba(21,101,192,.15); }
.beamlab-w .bl-pager { display: flex; gap: 6px; align-items: center; margin: 4px 0; }
.beamlab-w .bl-seq svg text { font: 11px var(--jp-code-font-family, monospace); }
`;function i(l,x={},...p){let n=document.createElement(l);for(let[t,s]of Object.entries(x))t==="class"?n.className=s:t.startsWith("on")?n.addEventListener(t.slice(2),s):s!=null&&n.setAttribute(t,s);for(let t of p.flat())t==null||t===!1||n.append(t instanceof Node?t:document.createTextNode(String(t)));return n}var A="http://www.w3.org/2000/svg",h=170,E=26,k=46,N=70;function a(l,x={},p){let n=document.createElementNS(A,l);for(let[t,s]of Object.entries(x))n.setAttribute(t,s);return p!==void 0&&(n.textContent=p),n}function F(){document.getElementById("beamlab-widget-style")||document.head.append(i("style",{id:"beamlab-widget-style"},q))}function H({model:l,el:x}){F();let p=i("span",{class:"bl-title"}),n=i("span",{class:"bl-status"}),t=i("button",{class:"bl-btn","data-action":"pause"}),s=i("button",{class:"bl-btn","data-action":"clear",onclick:()=>l.send({type:"clear"})},"Clear"),c=i("div",{class:"bl-canvas bl-seq",style:"max-height:480px","data-testid":"beamlab-sequence"});x.append(i("div",{class:"beamlab-w beamlab-sequence"},i("div",{class:"bl-top"},p,n,t,s),c)),t.addEventListener("click",()=>{l.set("paused",!l.get("paused")),l.save_changes()});let f=null;function _(){f=null;let g=l.get("participants")||[],w=l.get("events")||[],u=new Map(g.map((e,r)=>[e.id,N+r*h+h/2])),$=N+g.length*h+20,v=k+(w.length+1)*E,O=c.scrollTop+c.clientHeight>=c.scrollHeight-8,m=a("svg",{width:$,height:v,viewBox:`0 0 ${$} ${v}`}),T=a("defs"),C=a("marker",{id:"bl-arrow",viewBox:"0 0 10 10",refX:10,refY:5,markerWidth:7,markerHeight:7,orient:"auto-start-reverse"});C.append(a("path",{d:"M 0 0 L 10 5 L 0 10 z",fill:"#37474f"})),T.append(C),m.append(T);for(let e of g){let r=u.get(e.id);m.append(a("line",{x1:r,y1:k-8,x2:r,y2:v,stroke:"#b0bec5","stroke-dasharray":"4 3"})),m.append(a("rect",{x:r-h/2+8,y:6,width:h-16,height:26,rx:4,fill:e.id==="others"?"#f5f5f5":"#e3f2fd",stroke:"#90a4ae"})),m.append(a("text",{x:r,y:23,"text-anchor":"middle"},e.label))}w.forEach((e,r)=>{let b=k+(r+1)*E,d=u.get(e.from),y=u.get(e.to),o=a("g",{"data-seq":String(e.seq),class:`bl-seq-${e.kind}`});o.append(a("text",{x:4,y:b+4,fill:"#78909c"},`${Number(e.t).toFixed(3)}s`)),e.kind==="exit"?(o.append(a("text",{x:d,y:b+5,"text-anchor":"middle",fill:"#c62828","font-weight":"bold"},"\u2715")),o.append(a("text",{x:d+10,y:b-4,fill:"#c62828"},e.label))):d===y?(o.append(a("path",{d:`M ${d} ${b-6} h 24 v 12 h -24`,fill:"none",stroke:"#37474f","marker-end":"url(#bl-arrow)"})),o.append(a("text",{x:d+28,y:b+4},e.label))):(o.append(a("line",{x1:d,y1:b,x2:y,y2:b,stroke:"#37474f","marker-end":"url(#bl-arrow)"})),o.append(a("text",{x:(d+y)/2,y:b-5,"text-anchor":"middle"},e.label)));let I=a("title",{},`${e.from_pid} \u2192 ${e.to_pid}: ${e.label}`);o.append(I),m.append(o)}),c.replaceChildren(m),O&&(c.scrollTop=c.scrollHeight),p.textContent=l.get("title");let S=l.get("dropped");n.textContent=`${w.length} message${w.length===1?"":"s"}`+(S?` (${S} older ones dropped)`:"")+(l.get("paused")?" \xB7 paused":""),t.textContent=l.get("paused")?"Resume":"Pause"}let L=()=>{f===null&&(f=requestAnimationFrame(_))};for(let g of["participants","events","paused","dropped","title"])l.on(`change:${g}`,L);return _(),()=>{f!==null&&cancelAnimationFrame(f)}}var R={render:H};export{R as default};
