// beamlab widget front-end (table); built from widgets/js/src by widgets/js/build.mjs — do not edit.
var e={render(){}};export{e as default};
