// The pod sandbox ("pause") program of the local test node: nothing can be pulled here,
// so the node's sandbox image is built from this module.
module imagespec.dev/e2e/node/pause

go 1.22
