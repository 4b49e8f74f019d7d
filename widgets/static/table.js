// beamlab widget front-end (table); built from widgets/js/src by widgets/js/build.mjs — do not edit.
var N=`.beamlab-w { font: 12px/1.4 var(--jp-ui-font-family, system-ui, sans-serif); color: var(--jp-ui-font-color1, #222); }
.beamlab-w .bl-top { display: flex; gap: 12px; align-items: baseline; margin-bottom: 4px; flex-wrap: wrap; }
.beamlab-w .bl-title { font-weight: 600; }
.beamlab-w .bl-legend span { display: inline-block; margin-right: 8px; }
.beamlab-w .bl-swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 3px; vertical-align: -1px; border: 1px solid #999; }
.beamlab-w { min-width: 0; max-width: 100%; box-sizing: border-box; }
.beamlab-w .bl-body { display: flex; flex-wrap: wrap; gap: 10px; align-items: flex-start; }
.beamlab-w .bl-canvas { flex: 1 1 320px; min-width: 0; max-width: 100%; overflow: auto; max-height: 640px; }
.beamlab-w .bl-canvas svg { display: block; max-width: 100%; height: auto; }
.beamlab-w.bl-gone .bl-canvas, .beamlab-w.bl-gone .bl-inspector, .beamlab-w.bl-gone .bl-legend { filter: grayscale(1); opacity: .5; pointer-events: none; }
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
.beamlab-w .bl-notice-info { background: #e8f5e9; }
.beamlab-w .bl-notice-warning { background: #fff3e0; }
.beamlab-w .bl-notice-error { background: #ffebee; }
.beamlab-w .bl-status { color: #666; }
.beamlab-w table.bl-table { border-collapse: collapse; width: 100%; }
.beamlab-w table.bl-table th { cursor: pointer; text-align: left; border-bottom: 1px solid #bbb; padding: 2px 6px; user-select: none; white-space: nowrap; }
.beamlab-w table.bl-table td { padding: 1px 6px; border-bottom: 1px solid #eee; white-space: nowrap; max-width: 260px; overflow: hidden; text-overflow: ellipsis; }
.beamlab-w table.bl-table tr.bl-row { cursor: pointer; }
.beamlab-w table.bl-table tr.bl-row:hover { background: rgba(21,101,192,.06); }
.beamlab-w table.bl-table tr.bl-row.bl-selected { background: rgba(21,101,192,.15); }
.beamlab-w .bl-pager { display: flex; gap: 6px; align-items: center; margin: 4px 0; }
.beamlab-w .bl-seq svg text { font: 11px var(--jp-code-font-family, monospace); }
`;function t(e,a={},...o){let s=document.createElement(e);for(let[n,i]of Object.entries(a))n==="class"?s.className=i:n.startsWith("on")?s.addEventListener(n.slice(2),i):i!=null&&s.setAttribute(n,i);for(let n of o.flat())n==null||n===!1||s.append(n instanceof Node?n:document.createTextNode(String(n)));return s}var M=[["kill","Kill",'exit(pid, "kill"): untrappable, the process dies with reason killed'],["crash","Crash with reason\u2026","the process crashes with the reason you type"],["normal","Exit normal","the process exits with reason normal"],["shutdown","Exit shutdown","the process exits with reason shutdown"]];function c(e,a,o){let s=a&&a.length?t("ul",{class:"bl-list"},a.map(n=>t("li",{},String(n)))):t("div",{class:"bl-empty"},o);return t("details",{class:"bl-section",open:""},t("summary",{},e),s)}function S(e,a,o){if(e.replaceChildren(),!a||!a.pid){e.append(t("div",{class:"bl-hint"},"Click a process to inspect it and act on it."));return}if(e.append(t("div",{class:"bl-insp-title"},a.title||a.pid)),a.message&&e.append(t("div",{class:`bl-message ${a.alive?"":"bl-gone"}`},a.message)),!a.alive)return;let s=t("table",{class:"bl-fields"},(a.fields||[]).map(([b,p])=>t("tr",{},t("th",{},b),t("td",{},String(p)))));e.append(s),a.state!==void 0&&a.state!==null&&e.append(t("details",{class:"bl-section",open:""},t("summary",{},"state"),t("pre",{class:"bl-pre"},a.state)));let n=a.mailbox_len>(a.mailbox||[]).length?` (first ${a.mailbox.length} of ${a.mailbox_len})`:"";e.append(c(`mailbox: ${a.mailbox_len||0}${n}`,a.mailbox,"empty")),e.append(c("stack",a.stack,"no stack (idle behaviour process)")),e.append(c("links",a.links,"none")),e.append(c("monitors",a.monitors,"none")),e.append(c("monitored by",a.monitored_by,"none"));let i=t("input",{class:"bl-reason",type:"text",placeholder:"reason, e.g. boom","aria-label":"crash reason"}),d=M.filter(([b])=>(a.actions||[]).includes(b)).map(([b,p,g])=>t("button",{class:`bl-btn bl-btn-${b}`,title:g,"data-action":b,onclick:()=>o({type:"action",pid:a.pid,key:a.key,action:b,reason:b==="crash"?i.value||"boom":void 0})},p));e.append(t("div",{class:"bl-actions"},d,i))}function C(e,a){e.replaceChildren(),!(!a||!a.text)&&(e.className=`bl-notice bl-notice-${a.level||"info"}`,e.append(a.text))}function T(){document.getElementById("beamlab-widget-style")||document.head.append(t("style",{id:"beamlab-widget-style"},N))}function j(e,a){return e==null?"":a==="int"?Number(e).toLocaleString():String(e)}function q({model:e,el:a}){T();let o=r=>e.send(r),s=t("span",{class:"bl-status"}),n=t("input",{type:"search",placeholder:"filter by name or initial call",class:"bl-reason",style:"width:220px","aria-label":"filter"}),i=t("button",{class:"bl-btn","data-action":"prev"},"\u25C0"),d=t("button",{class:"bl-btn","data-action":"next"},"\u25B6"),b=t("span",{class:"bl-status"}),p=t("table",{class:"bl-table","data-testid":"beamlab-process-table"}),g=t("div",{class:"bl-notice"}),u=t("div",{class:"bl-inspector","data-testid":"beamlab-inspector"});a.append(t("div",{class:"beamlab-w beamlab-observer"},t("div",{class:"bl-pager"},s,n,i,b,d),g,t("div",{class:"bl-body"},t("div",{class:"bl-canvas"},p),u))),n.value=e.get("query")||"";let m=null;n.addEventListener("input",()=>{clearTimeout(m),m=setTimeout(()=>{e.set("query",n.value),e.set("page",0),e.save_changes()},250)}),i.addEventListener("click",()=>{e.set("page",Math.max(0,e.get("page")-1)),e.save_changes()}),d.addEventListener("click",()=>{let r=Math.max(0,Math.ceil(e.get("total")/e.get("page_size"))-1);e.set("page",Math.min(r,e.get("page")+1)),e.save_changes()});function w(){let r=e.get("columns")||[],v=e.get("sort_by"),k=e.get("descending"),E=e.get("selected"),I=t("tr",{},r.map(l=>t("th",{"data-column":l.key,title:l.sortable?"sort by this column":"",onclick:()=>{l.sortable&&(v===l.key?e.set("descending",!k):(e.set("sort_by",l.key),e.set("descending",l.kind==="int")),e.set("page",0),e.save_changes())}},l.label,v===l.key?k?" \u25BC":" \u25B2":""))),L=(e.get("rows")||[]).map(l=>t("tr",{class:`bl-row${l.pid===E?" bl-selected":""}`,"data-pid":l.pid,onclick:()=>o({type:"inspect",pid:l.pid})},r.map(f=>t("td",{title:String(l[f.key]??"")},j(l[f.key],f.kind)))));p.replaceChildren(t("thead",{},I),t("tbody",{},L));let x=e.get("total"),_=e.get("page_size"),$=e.get("page");b.textContent=x?`${$*_+1}\u2013${Math.min(x,($+1)*_)} of ${x.toLocaleString()}`:"no processes",s.textContent=e.get("summary")}let h=()=>S(u,e.get("inspector"),o),y=()=>C(g,e.get("notice"));for(let r of["rows","columns","sort_by","descending","page","total","selected","summary"])e.on(`change:${r}`,w);return e.on("change:inspector",h),e.on("change:notice",y),w(),h(),y(),()=>clearTimeout(m)}var W={render:q};export{W as default};
