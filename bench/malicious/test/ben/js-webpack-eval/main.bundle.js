/******/ (() => { // webpackBootstrap
/******/ 	var __webpack_modules__ = ({
/***/ "./src/index.js":
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {
eval("__webpack_require__.r(__webpack_exports__);\n/* harmony import */ var _util__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(\"./src/util.js\");\nconsole.log((0,_util__WEBPACK_IMPORTED_MODULE_0__.greet)('world'));\n\n//# sourceURL=webpack://app/./src/index.js?");
/***/ }),
/***/ "./src/util.js":
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {
eval("__webpack_require__.r(__webpack_exports__);\n/* harmony export */ __webpack_require__.d(__webpack_exports__, { greet: () => (greet) });\nfunction greet(n) { return 'hello ' + n; }\n\n//# sourceURL=webpack://app/./src/util.js?");
/***/ })
/******/ 	});
/******/ })();
