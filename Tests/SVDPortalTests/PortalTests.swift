import XCTest
import HummingbirdTesting
@testable import SVDPortal
