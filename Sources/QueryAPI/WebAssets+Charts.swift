/// The pictures' style and script: the traces page's scatter, the logs page's histogram and the
/// status page's plots (drawn as SVG by the daemon; the script only selects ranges).
extension WebAssets {
    static let chartsCSS = """
        """

    static let chartsJavaScript = """
        """
}
