// SPDX-License-Identifier: MIT
pragma solidity ^0.8.23;

/// @title ContentAnchor
/// @notice Timestamps batches of content digests. Each call commits one SHA-256 Merkle root (see
/// sdk/anchors/merkle.ts for the tree rules) to the chain's history; the block that holds the
/// `Anchored` event is the proof that every digest under that root existed at the block's time.
/// @dev Event-only on purpose: a receipt names the transaction, block and log index, so nothing needs
/// to be read back from storage on chain, and skipping the storage write halves the gas per batch.
/// Anyone may anchor any root: what a receipt proves is that the root existed at that block, and an
/// earlier anchoring by someone else would only make that time earlier.
contract ContentAnchor {
    /// @notice A batch of content digests, committed to by its Merkle `root`, was anchored by `submitter`.
    event Anchored(bytes32 indexed root, address indexed submitter);

    /// @notice The zero root was given; it is what an unset value looks like, never a real tree's root.
    error ContentAnchorZeroRoot();

    /// @notice Anchors the Merkle root of a batch of content digests in this block.
    /// @param root SHA-256 Merkle root of the batch; must not be zero.
    function anchor(bytes32 root) external {
        if (root == bytes32(0)) revert ContentAnchorZeroRoot();
        emit Anchored(root, msg.sender);
    }
}
