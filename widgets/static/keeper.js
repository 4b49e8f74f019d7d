// beamlab widget front-end (keeper); built from widgets/js/src by widgets/js/build.mjs — do not edit.
var u=`.beamlab-w { font: 12px/1.4 var(--jp-ui-font-family, system-ui, sans-serif); color: var(--jp-ui-font-color1, #222); }
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
.beamlab-w:focus { outline: none; }
.beamlab-w:focus-visible, .beamlab-w:focus-within { box-shadow: 0 0 0 1px rgba(21,101,192,.25); }
.beamlab-w .bl-timeline { margin: 2px 0 6px; padding: 4px 6px; border: 1px solid #e0e0e0; border-radius: 4px; background: rgba(0,0,0,.015); }
.beamlab-w .bl-tl-controls { display: flex; flex-wrap: wrap; gap: 4px; align-items: center; }
.beamlab-w .bl-tl-controls .bl-btn { min-width: 2em; }
.beamlab-w .bl-tl-live.bl-on { background: #e8f5e9; border-color: #2e7d32; color: #1b5e20; font-weight: 600; }
.beamlab-w.bl-scrubbed .bl-tl-live { background: #fff3e0; border-color: #ef6c00; color: #e65100; font-weight: 600; }
.beamlab-w .bl-tl-speed { display: inline-block; min-width: 3.2em; text-align: center; color: #666; }
.beamlab-w .bl-tl-pos { color: #555; font-variant-numeric: tabular-nums; margin-left: 6px; }
.beamlab-w .bl-tl-track { position: relative; margin-top: 2px; }
.beamlab-w .bl-scrub { width: 100%; margin: 0; }
.beamlab-w .bl-marks { position: relative; height: 12px; }
.beamlab-w .bl-mark { position: absolute; top: 0; width: 8px; height: 12px; border: 0; padding: 0; border-radius: 2px; cursor: pointer; }
.beamlab-w .bl-mark-crash { background: #c62828; } .beamlab-w .bl-mark-restart { background: #2e7d32; } .beamlab-w .bl-mark-giveup { background: #000; }
.beamlab-w .bl-mark.bl-current { outline: 2px solid #1565c0; }
.beamlab-w .bl-what { min-height: 1.4em; padding: 3px 6px; margin-top: 3px; border-left: 3px solid #b0bec5; background: #fafafa; }
.beamlab-w .bl-what.bl-kind-signal, .beamlab-w .bl-what.bl-kind-exit { border-left-color: #c62828; }
.beamlab-w .bl-what.bl-kind-sup { border-left-color: #2e7d32; }
.beamlab-w .bl-decision:empty { display: none; }
.beamlab-w .bl-decision { margin-top: 3px; padding: 3px 6px; color: #1b5e20; background: #e8f5e9; font-weight: 600; border-radius: 3px; }
.beamlab-w.bl-scrubbed .bl-canvas { background: #fffdf7; }
.beamlab-w .bl-canvas g.node.bl-hot polygon, .beamlab-w .bl-canvas g.node.bl-hot ellipse, .beamlab-w .bl-canvas g.node.bl-hot path { stroke: #d9480f; stroke-width: 4; }
.beamlab-w .bl-canvas g.node.bl-hot2 polygon, .beamlab-w .bl-canvas g.node.bl-hot2 ellipse, .beamlab-w .bl-canvas g.node.bl-hot2 path { stroke: #d9480f; stroke-width: 2.5; stroke-dasharray: 4 2; }
.beamlab-w .bl-canvas g.edge.bl-signal path { stroke: #c62828; stroke-width: 4; stroke-dasharray: 8 5; animation: bl-travel 0.6s linear infinite; }
.beamlab-w .bl-canvas g.edge.bl-signal polygon { stroke: #c62828; fill: #c62828; }
.beamlab-w .bl-canvas g.edge.bl-msg path { stroke: #1565c0; stroke-width: 3; stroke-dasharray: 6 4; animation: bl-travel 0.6s linear infinite; }
@keyframes bl-travel { from { stroke-dashoffset: 26; } to { stroke-dashoffset: 0; } }
.beamlab-w ol.bl-queue { margin: 0; padding-left: 20px; font-family: var(--jp-code-font-family, monospace); }
.beamlab-w ol.bl-queue li.bl-q-took { background: #c8e6c9; font-weight: 600; }
.beamlab-w ol.bl-queue li.bl-q-skipped { color: #78909c; }
.beamlab-w.bl-large { font-size: 18px; }
.beamlab-w.bl-large .bl-seq svg text { font-size: 16px; }
.beamlab-w.bl-large .bl-canvas, .beamlab-w.bl-large .bl-inspector { max-height: none; }
.beamlab-w.bl-full { position: fixed; inset: 0; z-index: 10000; background: var(--jp-layout-color0, #fff); overflow: auto; padding: 10px 14px; max-width: none; }
.beamlab-w.bl-full .bl-canvas { max-height: none !important; }
.beamlab-w .bl-timeline.bl-waiting .bl-tl-pos { color: #ef6c00; }
`;function h({model:e,el:n,canSend:r}){let i=Math.random().toString(36).slice(2,12),l=!0,p=null,m=()=>l&&document.visibilityState!=="hidden",s=a=>{if(r())try{e.send({type:"view",id:i,visible:a}),p=a}catch{}},t=()=>{m()?s(!0):p!==!1&&s(!1)},o=null;typeof IntersectionObserver<"u"&&(o=new IntersectionObserver(a=>{let d=a.some(g=>g.isIntersecting);d!==l&&(l=d,t())}),o.observe(n));let c=()=>t();document.addEventListener("visibilitychange",c);let b=setInterval(t,4e3);return t(),()=>{clearInterval(b),o&&o.disconnect(),document.removeEventListener("visibilitychange",c),s(!1)}}var _=new Map;function x(e){let n=_.get(e.get("static_id"));if(n)for(let r of n)try{r.kept=r.state(),r.redraw=Date.now()}catch(i){console.warn("beamlab: could not keep the view's state",i)}}var S=new Set(["restarting","autorestarting","dead"]);function T(e){return`[data-beamlab-part="${e}"] { display: none !important; }
.jp-OutputArea-child:has([data-beamlab-part="${e}"]) { display: none !important; }`}var A=e=>String(e).replace(/&/g,"&amp;").replace(/</g,"&lt;").replace(/>/g,"&gt;").replace(/"/g,"&quot;");function E(e,n,r){return`<!--bl:${e}--><div class="beamlab-part" data-beamlab-part="${e}"><div style="font:12px sans-serif;color:#555;margin-bottom:4px">${A(n)}</div>${r}</div><!--/bl:${e}-->`}function $(e){return Array.isArray(e)?e.join(""):typeof e=="string"?e:""}var v=e=>e.replace(/\(saved [^;()]*;/g,"(saved;");function C(e,n,r,i){let l=e&&e.cells;if(!l)return 0;let p=`<!--bl:${n}-->`,m=`<!--/bl:${n}-->`,s=0;for(let t=0;t<l.length;t++){let o=l.get(t)?.outputs;if(o)for(let c=0;c<o.length;c++){let b=o.get(c),a=$(b&&b.data&&b.data["text/html"]),d=a.indexOf(p),g=a.indexOf(m,d);if(d<0||g<0||v(a.slice(d,g+m.length))===v(r))continue;let f=a.slice(0,d)+r+a.slice(g+m.length);s===0&&i&&i(),o.set(c,{output_type:"display_data",metadata:b.metadata||{},data:{...b.data,"text/html":f}}),s+=1}}return s}function k({model:e,el:n,picture:r,onGone:i}){let l=e.get("static_id"),p=[],m=document.createElement("style"),s=()=>{l=e.get("static_id"),m.setAttribute("data-beamlab-hide",l||""),m.textContent=l?T(l):""};s(),document.head.append(m),e.on("change:static_id",s),p.push(()=>{m.remove(),e.off("change:static_id",s)});let t=null;try{t=e.widget_manager&&e.widget_manager.context}catch{t=null}if(t&&t.saveState){let a=(d,g)=>{if(!(g!=="started"||!l))try{let f=r();f&&C(t.model,l,E(l,f.caption,f.body),()=>x(e))}catch(f){console.warn("beamlab: could not keep the saved picture current",f)}};t.saveState.connect(a),p.push(()=>{try{t.saveState.disconnect(a)}catch{}})}let o=t&&t.sessionContext,c=!1,b=a=>{c||(c=!0,i&&i(a))};if(o&&o.statusChanged){let a=(f,w)=>{S.has(w)&&b(w==="dead"?"the kernel is gone":"kernel restarted")},d=o.session&&o.session.kernel,g=(f,w)=>{d&&w&&w.newValue!==d&&b("kernel changed")};o.statusChanged.connect(a),o.kernelChanged.connect(g),p.push(()=>{try{o.statusChanged.disconnect(a),o.kernelChanged.disconnect(g)}catch{}})}return()=>{for(let a of p)a()}}function q(){if(document.getElementById("beamlab-widget-style"))return;let e=document.createElement("style");e.id="beamlab-widget-style",e.textContent=u,document.head.append(e)}function H({model:e,el:n}){q();let r=!1,i=document.createElement("div");i.className="bl-gone-banner",i.setAttribute("data-testid","beamlab-gone");let l=document.createElement("div");l.className="beamlab-w beamlab-keeper",l.append(i),n.append(l);let p=()=>n.closest(".beamlab-keeps-picture")||n,s=k({model:e,el:n,picture:()=>{let b=e.get("picture");if(!b)return null;let a=new Date().toLocaleString();return{caption:`${e.get("caption")} (saved ${a}; run the cell for the live view)`,body:b}},onGone:b=>{r=!0,l.classList.add("bl-gone"),i.textContent=`${b} \u2014 this ${e.get("kind")||"widget"} is no longer live; re-run this cell to see it again`,p().classList.add("beamlab-gone-box")}}),t=null,o=0,c=()=>{if(t===null){if(!n.isConnected&&o++<50){setTimeout(c,100);return}t=h({model:e,el:p(),canSend:()=>!r})}};return c(),()=>{t&&t(),s()}}var V={render:H};export{V as default};
