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
`;var k=new Set(["restarting","autorestarting","dead"]);function y(e){return`[data-beamlab-part="${e}"] { display: none !important; }
.jp-OutputArea-child:has([data-beamlab-part="${e}"]) { display: none !important; }`}var S=e=>String(e).replace(/&/g,"&amp;").replace(/</g,"&lt;").replace(/>/g,"&gt;").replace(/"/g,"&quot;");function _(e,r,p){return`<!--bl:${e}--><div class="beamlab-part" data-beamlab-part="${e}"><div style="font:12px sans-serif;color:#555;margin-bottom:4px">${S(r)}</div>${p}</div><!--/bl:${e}-->`}function E(e){return Array.isArray(e)?e.join(""):typeof e=="string"?e:""}function $(e,r,p){let i=e&&e.cells;if(!i)return 0;let b=`<!--bl:${r}-->`,s=`<!--/bl:${r}-->`,m=0;for(let c=0;c<i.length;c++){let a=i.get(c)?.outputs;if(a)for(let l=0;l<a.length;l++){let o=a.get(l),n=E(o&&o.data&&o.data["text/html"]),t=n.indexOf(b),d=n.indexOf(s,t);if(t<0||d<0)continue;let g=n.slice(0,t)+p+n.slice(d+s.length);g!==n&&(a.set(l,{output_type:"display_data",metadata:o.metadata||{},data:{...o.data,"text/html":g}}),m+=1)}}return m}function x({model:e,el:r,picture:p,onGone:i}){let b=e.get("static_id"),s=[],m=document.createElement("style"),c=()=>{b=e.get("static_id"),m.setAttribute("data-beamlab-hide",b||""),m.textContent=b?y(b):""};c(),document.head.append(m),e.on("change:static_id",c),s.push(()=>{m.remove(),e.off("change:static_id",c)});let a=null;try{a=e.widget_manager&&e.widget_manager.context}catch{a=null}if(a&&a.saveState){let t=(d,g)=>{if(!(g!=="started"||!b))try{let w=p();w&&$(a.model,b,_(b,w.caption,w.body))}catch(w){console.warn("beamlab: could not keep the saved picture current",w)}};a.saveState.connect(t),s.push(()=>{try{a.saveState.disconnect(t)}catch{}})}let l=a&&a.sessionContext,o=!1,n=t=>{o||(o=!0,i&&i(t))};if(l&&l.statusChanged){let t=(w,f)=>{k.has(f)&&n(f==="dead"?"the kernel is gone":"kernel restarted")},d=l.session&&l.session.kernel,g=(w,f)=>{d&&f&&f.newValue!==d&&n("kernel changed")};l.statusChanged.connect(t),l.kernelChanged.connect(g),s.push(()=>{try{l.statusChanged.disconnect(t),l.kernelChanged.disconnect(g)}catch{}})}return()=>{for(let t of s)t()}}function h({model:e,el:r,canSend:p}){let i=Math.random().toString(36).slice(2,12),b=!0,s=null,m=()=>b&&document.visibilityState!=="hidden",c=t=>{if(p())try{e.send({type:"view",id:i,visible:t}),s=t}catch{}},a=()=>{m()?c(!0):s!==!1&&c(!1)},l=null;typeof IntersectionObserver<"u"&&(l=new IntersectionObserver(t=>{let d=t.some(g=>g.isIntersecting);d!==b&&(b=d,a())}),l.observe(r));let o=()=>a();document.addEventListener("visibilitychange",o);let n=setInterval(a,4e3);return a(),()=>{clearInterval(n),l&&l.disconnect(),document.removeEventListener("visibilitychange",o),c(!1)}}function A(){if(document.getElementById("beamlab-widget-style"))return;let e=document.createElement("style");e.id="beamlab-widget-style",e.textContent=u,document.head.append(e)}function C({model:e,el:r}){A();let p=!1,i=document.createElement("div");i.className="bl-gone-banner",i.setAttribute("data-testid","beamlab-gone");let b=document.createElement("div");b.className="beamlab-w beamlab-keeper",b.append(i),r.append(b);let s=()=>r.closest(".beamlab-keeps-picture")||r,c=x({model:e,el:r,picture:()=>{let n=e.get("picture");if(!n)return null;let t=new Date().toLocaleString();return{caption:`${e.get("caption")} (saved ${t}; run the cell for the live view)`,body:n}},onGone:n=>{p=!0,b.classList.add("bl-gone"),i.textContent=`${n} \u2014 this ${e.get("kind")||"widget"} is no longer live; re-run this cell to see it again`,s().classList.add("beamlab-gone-box")}}),a=null,l=0,o=()=>{if(a===null){if(!r.isConnected&&l++<50){setTimeout(o,100);return}a=h({model:e,el:s(),canSend:()=>!p})}};return o(),()=>{a&&a(),c()}}var L={render:C};export{L as default};
