/** The version `--version` prints and the MCP server announces (package.json's). */
export const VERSION = '0.1.0';
