/// The trace page's style and script: the dense waterfall.
extension WebAssets {
    static let waterfallCSS = """
        """

    static let waterfallJavaScript = """
        """
}
