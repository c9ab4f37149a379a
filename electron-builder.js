// electron-builder configuration (found automatically as electron-builder.js; ESM since package.json
// says "type": "module"). `npm run dist` uses it; `npm run dist -- --e2e` uses e2eConfig, the same
// app with the Node inspect switches left on so Playwright can drive the packaged build.

/** @type {import('electron-builder').Configuration} */
const config = {
  appId: 'org.ucwatray.app',
  productName: 'UCWA Tray',
  copyright: 'Copyright © UCWA Tray contributors',
  directories: { output: 'release', buildResources: 'build' },
  // The bundles and the production dependencies (electron-builder adds node_modules itself,
  // without devDependencies). No sources, no source maps.
  files: ['out/**/*', 'package.json', '!out/**/*.map', '!out/cli/**'],
  // Tray, overlay and notification icons are read from disk at run time (resources/build).
  extraResources: [
    { from: 'build/tray', to: 'build/tray' },
    { from: 'build', to: 'build', filter: ['overlay-*.png', 'icons/256x256.png'] },
  ],
  // better-sqlite3 13 and @napi-rs/keyring ship Node-API prebuilds: one binary for Node and
  // Electron, so nothing is rebuilt (DESIGN.md §1).
  npmRebuild: false,
  asar: true,
  // Native addons cannot be loaded from inside an asar, and neither can a worker thread's script:
  // the store worker and the packages it loads live in app.asar.unpacked.
  asarUnpack: [
    '**/*.node',
    'node_modules/better-sqlite3/**',
    'node_modules/@napi-rs/keyring*/**',
    'out/main/storeWorker.mjs',
  ],
  electronFuses: {
    runAsNode: false,
    enableCookieEncryption: true,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    grantFileProtocolExtraPrivileges: false,
  },
  protocols: [
    { name: 'SIP address', schemes: ['sip'] },
    { name: 'Instant message', schemes: ['im'] },
  ],
  linux: {
    target: ['AppImage', 'deb'],
    executableName: 'ucwa-tray',
    icon: 'build/icons',
    category: 'Network',
    synopsis: 'Skype for Business instant messages in the tray',
    mimeTypes: ['x-scheme-handler/sip', 'x-scheme-handler/im'],
    desktop: { entry: { Categories: 'Network;InstantMessaging;Chat;', StartupWMClass: 'UCWA Tray' } },
  },
  deb: {
    // Secret Service client for the keychain, notifications, idle time, and Chromium's own needs.
    depends: ['libsecret-1-0', 'libnotify4', 'libxss1', 'libnss3', 'libgtk-3-0', 'libxtst6', 'xdg-utils', 'libatspi2.0-0', 'libuuid1', 'libgbm1', 'libasound2 | libasound2t64'],
    recommends: ['gnome-keyring | kwalletmanager'],
  },
  win: {
    target: [{ target: 'nsis', arch: ['x64', 'arm64'] }],
    icon: 'build/icon.ico',
  },
  nsis: {
    oneClick: false,
    perMachine: false,
    allowToChangeInstallationDirectory: true,
    deleteAppDataOnUninstall: false,
    shortcutName: 'UCWA Tray',
  },
  mac: {
    target: [{ target: 'dmg', arch: ['x64', 'arm64'] }, { target: 'zip', arch: ['x64', 'arm64'] }],
    icon: 'build/icon.png',
    category: 'public.app-category.business',
    hardenedRuntime: true,
    gatekeeperAssess: false,
    entitlements: 'build/entitlements.mac.plist',
    entitlementsInherit: 'build/entitlements.mac.inherit.plist',
    extendInfo: { NSUserNotificationAlertStyle: 'alert' },
  },
};

/** The build Playwright drives: identical, but with --inspect allowed (the `_electron` launcher needs it). */
export const e2eConfig = {
  ...config,
  directories: { ...config.directories, output: 'release/e2e' },
  electronFuses: { ...config.electronFuses, enableNodeCliInspectArguments: true },
};

export default config;
